using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Devices;

namespace VgpuView.VfioPlanes.Edid;

/// <summary>The link_state field of the EDID region: what the guest is told about its monitor.</summary>
public enum EdidLink
{
    /// <summary>0: no one has written it since the device was created (mbochs starts so).</summary>
    NotSet,

    /// <summary>VFIO_DEVICE_GFX_LINK_STATE_UP: the guest sees the monitor the blob describes.</summary>
    Up,

    /// <summary>VFIO_DEVICE_GFX_LINK_STATE_DOWN: to the guest the monitor is unplugged or has no EDID.</summary>
    Down,

    /// <summary>A value linux/vfio.h does not define.</summary>
    Unknown,
}

/// <summary>
/// The EDID region of a device as it is now (linux/vfio.h, struct vfio_region_gfx_edid at the
/// region's start, the blob at edid_offset), read without writing anything: the guest keeps
/// the monitor it has. <see cref="Problem"/> names the first header field that contradicts the
/// header or another field; <see cref="Block"/> is the parsed blob when there is one.
/// </summary>
public sealed record EdidRegionState(
    uint RegionIndex,
    ulong RegionSize,
    uint EdidOffset,
    uint EdidMaxSize,
    uint EdidSize,
    uint MaxXres,
    uint MaxYres,
    uint LinkStateValue,
    bool HeaderRead,
    string? Problem,
    EdidBlock? Block,
    string? BlockProblem)
{
    /// <summary>The largest blob read; EDID with every extension block allowed is 256 blocks of 128 bytes.</summary>
    public const int MaxBlobBytes = 256 * EdidBlock.BlockSize;

    private static readonly int s_headerSize = Marshal.SizeOf<Interop.Vfio.vfio_region_gfx_edid>();

    public EdidLink Link => LinkStateValue switch
    {
        0 => EdidLink.NotSet,
        Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_UP => EdidLink.Up,
        Interop.Vfio.VFIO_DEVICE_GFX_LINK_STATE_DOWN => EdidLink.Down,
        _ => EdidLink.Unknown,
    };

    /// <summary>
    /// Whether the guest has a monitor the driver made itself: a link no VMM has set (0) over a
    /// blob that parses. i915 GVT-g gives each vGPU a virtual monitor with its EDID at creation and
    /// leaves link_state 0 until a VMM writes it (kvmgt's intel_gvt_set_edid); mbochs, which starts
    /// with no blob, does not.
    /// </summary>
    public bool DriverMonitor => HeaderRead && Problem is null && Link == EdidLink.NotSet && EdidSize > 0 && Block is not null;

    /// <summary>"up", "down", "not set", "unknown (N)", or "unread" when the header could not be read.</summary>
    public string LinkText => !HeaderRead ? "unread" : Link switch
    {
        EdidLink.Up => "up",
        EdidLink.Down => "down",
        EdidLink.NotSet => "not set",
        _ => $"unknown ({LinkStateValue})",
    };

    /// <summary>
    /// The device's EDID region read now, or null when it has none (no region with the GFX/EDID
    /// type capability). A read the device refuses is a <see cref="Problem"/>, not an exception.
    /// </summary>
    public static EdidRegionState? Read(VgpuDevice device)
    {
        RegionInfo? region = device.FindRegion(Interop.Vfio.VFIO_REGION_TYPE_GFX, Interop.Vfio.VFIO_REGION_SUBTYPE_GFX_EDID);
        if (region is null)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[s_headerSize];
        if (region.Size < (ulong)s_headerSize || !region.Readable)
        {
            return Unreadable(region, $"the region ({region.Size} bytes{(region.Readable ? string.Empty : ", not readable")}) cannot hold the {s_headerSize}-byte vfio_region_gfx_edid header");
        }

        string? failure = ReadExactly(device, bytes, (long)region.Offset);
        if (failure is not null)
        {
            return Unreadable(region, "reading the header: " + failure);
        }

        var h = MemoryMarshal.Read<Interop.Vfio.vfio_region_gfx_edid>(bytes);
        string? problem = HeaderProblem(h);
        EdidBlock? block = null;
        string? blockProblem = null;
        if (problem is null && h.edid_size > 0)
        {
            byte[] blob = new byte[Math.Min(h.edid_size, MaxBlobBytes)];
            failure = ReadExactly(device, blob, (long)region.Offset + h.edid_offset);
            if (failure is not null)
            {
                problem = $"reading the {blob.Length}-byte blob at edid_offset {h.edid_offset}: {failure}";
            }
            else
            {
                EdidBlock.TryParse(blob, out block, out blockProblem);
            }
        }

        return new EdidRegionState(region.Index, region.Size, h.edid_offset, h.edid_max_size, h.edid_size, h.max_xres, h.max_yres, h.link_state, HeaderRead: true, problem, block, blockProblem);
    }

    /// <summary>
    /// Which header field contradicts the header itself or another field, if any. The blob is not
    /// bounded by the region's reported size: i915 GVT-g registers its EDID region with the blob's
    /// size (128 bytes, kvmgt's intel_gvt_set_edid) yet puts the blob at half a page
    /// (EDID_BLOB_OFFSET, 2048), and serves reads and writes there by offset. QEMU's display code
    /// reads the blob at edid_offset without comparing it with the size either.
    /// </summary>
    private static string? HeaderProblem(in Interop.Vfio.vfio_region_gfx_edid h)
    {
        if (h.edid_offset < s_headerSize)
        {
            return $"edid_offset {h.edid_offset} lies inside the {s_headerSize}-byte header";
        }

        return h.edid_size > h.edid_max_size ? $"edid_size {h.edid_size} is over edid_max_size {h.edid_max_size}" : null;
    }

    private static string? ReadExactly(VgpuDevice device, Span<byte> buffer, long offset)
    {
        int errno = device.Raw.Read(buffer, offset, out int read);
        return errno != 0 ? $"pread failed: {Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})"
            : read != buffer.Length ? $"pread returned {read} of {buffer.Length} bytes"
            : null;
    }

    private static EdidRegionState Unreadable(RegionInfo region, string problem) =>
        new(region.Index, region.Size, 0, 0, 0, 0, 0, 0, HeaderRead: false, problem, null, null);
}
