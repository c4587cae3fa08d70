using System.Buffers.Binary;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.KernelGuest;

/// <summary>
/// What a bochs-display guest driver does to mbochs (samples/vfio-mdev/mbochs.c): the DISPI
/// registers are 16-bit at BAR2 (region 2) + 0x500 + 2 * index, and the framebuffer is BAR0.
/// </summary>
internal static class Bochs
{
    // bochs DISPI register indexes and values (mbochs.c, QEMU hw/display/bochs.h)
    private const int Id = 0x0;
    private const int XRes = 0x1;
    private const int YRes = 0x2;
    private const int Bpp = 0x3;
    private const int Enable = 0x4;
    private const int VirtWidth = 0x6;
    private const int XOffset = 0x8;
    private const int YOffset = 0x9;
    private const ushort Enabled = 0x01;
    private const ushort LfbEnabled = 0x40;
    private const ushort IdMagic = 0xB0C5;

    public static ushort ReadRegister(GuestDevice device, int index)
    {
        Span<byte> value = stackalloc byte[2];
        device.Read(value, RegisterOffset(device, index));
        return BinaryPrimitives.ReadUInt16LittleEndian(value);
    }

    public static void WriteRegister(GuestDevice device, int index, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        device.Write(bytes, RegisterOffset(device, index));
    }

    /// <summary>Sets WxH at 32 bpp, the order a guest uses: disable, geometry, enable with the linear framebuffer.</summary>
    public static void SetMode(GuestDevice device, int width, int height)
    {
        ushort id = ReadRegister(device, Id);
        if (id != IdMagic)
        {
            throw new IOException($"{device.Uuid}: DISPI ID register reads 0x{id:X4}, expected 0x{IdMagic:X4}");
        }

        WriteRegister(device, Enable, 0);
        WriteRegister(device, XRes, (ushort)width);
        WriteRegister(device, YRes, (ushort)height);
        WriteRegister(device, Bpp, 32);
        WriteRegister(device, VirtWidth, (ushort)width);
        WriteRegister(device, XOffset, 0);
        WriteRegister(device, YOffset, 0);
        WriteRegister(device, Enable, Enabled | LfbEnabled);
    }

    public static void Off(GuestDevice device) => WriteRegister(device, Enable, 0);

    /// <summary>Draws the pattern at WxH, stride width * 4, into BAR0.</summary>
    public static void Draw(GuestDevice device, int width, int height)
    {
        GuestRegion bar0 = device.Region(0);
        using SafeMappedRegion map = device.Map(bar0, writable: true);
        Pattern.DrawXrgb8888(map.GetSpan(), width, height, width * 4);
    }

    private static long RegisterOffset(GuestDevice device, int index) => (long)device.Region(2).Offset + 0x500 + (2 * index);
}

/// <summary>
/// What the mdpy-fb guest driver does to mdpy (samples/vfio-mdev/mdpy-defs.h): the mode is in
/// a vendor capability of PCI config space (format at 0x44, width 0x48, height 0x4c), the
/// framebuffer is BAR0 with stride width * 4.
/// </summary>
internal static class Mdpy
{
    public static (uint Format, int Width, int Height) ReadMode(GuestDevice device)
    {
        GuestRegion config = device.Region(7);
        Span<byte> cap = stackalloc byte[12];
        device.Read(cap, (long)config.Offset + 0x44);
        return (BinaryPrimitives.ReadUInt32LittleEndian(cap),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(cap[4..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(cap[8..]));
    }

    public static (int Width, int Height) Draw(GuestDevice device)
    {
        (_, int width, int height) = ReadMode(device);
        GuestRegion bar0 = device.Region(0);
        using SafeMappedRegion map = device.Map(bar0, writable: true);
        Pattern.DrawXrgb8888(map.GetSpan(), width, height, width * 4);
        return (width, height);
    }
}
