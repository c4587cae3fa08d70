using System.Buffers.Binary;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The EDID the simulated vGPU presents for its base mode, as a VMM would have written it before
/// bringing the link up: an EDID 1.4 base block (VESA E-EDID) from vendor "VGV", whose first
/// detailed timing is the mode at 60 Hz with reduced blanking (160 pixels per line, as CVT-RB,
/// and at least 460 µs of vertical blanking), followed by the monitor name.
/// </summary>
internal static class SimEdid
{
    public const string MonitorName = "vgpuview sim";
    public const ushort Product = 0x5649;
    private const int HorizontalBlank = 160;

    /// <summary>The block for <paramref name="mode"/>, or null when a detailed timing cannot hold it (over 4095 pixels, or a pixel clock over 655.35 MHz).</summary>
    public static byte[]? Build(SimMode mode)
    {
        int width = mode.Width, height = mode.Height;
        int horizontalTotal = width + HorizontalBlank;
        // Lines of blanking for 460 µs at 60 Hz: the line rate is 60 * total lines.
        int verticalBlank = (int)Math.Ceiling(460e-6 * 60 * height / (1 - (460e-6 * 60)));
        verticalBlank = Math.Max(verticalBlank, 8);
        long clock10kHz = (long)Math.Round((double)horizontalTotal * (height + verticalBlank) * 60 / 10_000);
        if (width > 4095 || height > 4095 || verticalBlank > 4095 || clock10kHz > ushort.MaxValue)
        {
            return null;
        }

        byte[] e = new byte[128];
        ((ReadOnlySpan<byte>)[0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]).CopyTo(e);
        // "VGV": V = 22, G = 7, V = 22, five bits each from 'A' = 1, big-endian.
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(8), (ushort)((22 << 10) | (7 << 5) | 22));
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(10), Product);
        e[16] = 1;    // week of manufacture
        e[17] = 36;   // year - 1990
        e[18] = 1;    // EDID 1.4
        e[19] = 4;
        e[20] = 0xA5; // digital input, 8 bits per colour, DisplayPort
        e[24] = 0x06; // RGB 4:4:4; the preferred timing is the native mode, and it is in block 0
        Span<byte> d = e.AsSpan(54, 18);
        BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)clock10kHz);
        d[2] = (byte)width;
        d[3] = HorizontalBlank & 0xFF;
        d[4] = (byte)(((width >> 8) << 4) | (HorizontalBlank >> 8));
        d[5] = (byte)height;
        d[6] = (byte)verticalBlank;
        d[7] = (byte)(((height >> 8) << 4) | (verticalBlank >> 8));
        d[8] = 48;                        // horizontal front porch
        d[9] = 32;                        // horizontal sync width
        d[10] = (3 << 4) | 4;             // vertical front porch 3, sync width 4
        d[17] = 0x1A;                     // digital separate sync, +hsync, -vsync
        Span<byte> name = e.AsSpan(72, 18);
        name[3] = 0xFC;
        name[5..].Fill(0x20);
        System.Text.Encoding.ASCII.GetBytes(MonitorName + "\n").CopyTo(name[5..]);
        for (int at = 90; at < 126; at += 18)
        {
            e[at + 3] = 0x10;             // dummy descriptors
        }

        int sum = 0;
        for (int i = 0; i < 127; i++)
        {
            sum += e[i];
        }

        e[127] = (byte)((256 - (sum % 256)) % 256);
        return e;
    }
}
