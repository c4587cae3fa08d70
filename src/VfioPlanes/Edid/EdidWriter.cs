using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Devices;

namespace VgpuView.VfioPlanes.Edid;

/// <summary>
/// Presents a monitor to the guest through the device's EDID region (linux/vfio.h): link_state
/// DOWN, edid_size, the blob at edid_offset, then link_state UP, in QEMU's order
/// (hw/vfio/display.c). The size goes before the blob because GVT-g refuses blob bytes beyond
/// edid_size. The link comes up after a delay, 100 ms by default as in QEMU, so that the guest
/// sees an unplug and a plug rather than one event. Header fields are written as whole 32-bit
/// words, as the drivers require.
/// </summary>
public static class EdidWriter
{
    public static readonly TimeSpan DefaultLinkUpDelay = TimeSpan.FromMilliseconds(100);

    private const int EdidSizeField = 8;
    private const int LinkStateField = 20;

    /// <summary>
    /// Writes <paramref name="blob"/> and brings the link up; then reads the region back and
    /// throws unless the device kept the blob, its size and the link state.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is not a valid EDID (<see cref="EdidBlock.TryValidate"/>) or is larger than the region takes.</exception>
    /// <exception cref="IOException">The device has no usable EDID region, refused a write, or did not keep what was written.</exception>
    public static EdidRegionState Present(VgpuDevice device, ReadOnlySpan<byte> blob, TimeSpan linkUpDelay)
    {
        EdidRegionState before = Usable(device);
        if (!EdidBlock.TryValidate(blob, out string? problem))
        {
            throw new InvalidDataException($"the EDID to write is not valid: {problem}");
        }

        if (blob.Length > before.EdidMaxSize)
        {
            throw new InvalidDataException($"the EDID to write is {blob.Length} bytes; {device.Name}'s EDID region {before.RegionIndex} takes at most edid_max_size {before.EdidMaxSize}");
        }

        long region = RegionOffset(device, before);
        WriteWord(device, region + LinkStateField, Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_DOWN, "link_state DOWN", before);
        WriteWord(device, region + EdidSizeField, (uint)blob.Length, $"edid_size {blob.Length}", before);
        int errno = device.Raw.Write(blob, region + before.EdidOffset, out int written);
        Check(errno, written, blob.Length, $"the {blob.Length}-byte blob at edid_offset {before.EdidOffset}", device, before);
        if (linkUpDelay > TimeSpan.Zero)
        {
            Thread.Sleep(linkUpDelay);
        }

        WriteWord(device, region + LinkStateField, Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_UP, "link_state UP", before);

        EdidRegionState after = EdidRegionState.Read(device)!;
        byte[] back = new byte[blob.Length];
        errno = device.Raw.Read(back, region + before.EdidOffset, out int read);
        if (after.Link != EdidLink.Up || after.EdidSize != blob.Length || errno != 0 || read != back.Length || !blob.SequenceEqual(back))
        {
            throw new IOException($"{device.Name}: EDID region {before.RegionIndex} did not keep what was written: " +
                $"link {after.LinkText}, edid_size {after.EdidSize} (wrote {blob.Length}), blob {(errno == 0 && read == back.Length && blob.SequenceEqual(back) ? "as written" : "different")}");
        }

        return after;
    }

    /// <summary>Sets link_state alone: DOWN unplugs the monitor as the guest sees it, UP plugs the one the blob describes.</summary>
    /// <exception cref="IOException">The device has no usable EDID region, or refused the write.</exception>
    public static EdidRegionState SetLink(VgpuDevice device, bool up)
    {
        EdidRegionState before = Usable(device);
        uint value = up ? Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_UP : Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_DOWN;
        WriteWord(device, RegionOffset(device, before) + LinkStateField, value, up ? "link_state UP" : "link_state DOWN", before);
        return EdidRegionState.Read(device)!;
    }

    private static EdidRegionState Usable(VgpuDevice device)
    {
        EdidRegionState state = EdidRegionState.Read(device)
            ?? throw new IOException($"{device.Name} has no EDID region (no region with the GFX/EDID type capability): its monitor cannot be set from here");
        if (!state.HeaderRead || state.Problem is not null)
        {
            throw new IOException($"{device.Name}: EDID region {state.RegionIndex} cannot be written: {state.Problem}");
        }

        return state;
    }

    private static long RegionOffset(VgpuDevice device, EdidRegionState state) => (long)device.TryGetRegionInfo(state.RegionIndex)!.Offset;

    private static void WriteWord(VgpuDevice device, long offset, uint value, string what, EdidRegionState state)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, value);
        int errno = device.Raw.Write(word, offset, out int written);
        Check(errno, written, 4, what, device, state);
    }

    private static void Check(int errno, int written, int length, string what, VgpuDevice device, EdidRegionState state)
    {
        if (errno != 0)
        {
            throw new VfioException(errno, "pwrite", device.Name,
                $"{device.Name}: EDID region {state.RegionIndex}: writing {what} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})");
        }

        if (written != length)
        {
            throw new IOException($"{device.Name}: EDID region {state.RegionIndex}: writing {what} wrote {written} of {length} bytes");
        }
    }
}
