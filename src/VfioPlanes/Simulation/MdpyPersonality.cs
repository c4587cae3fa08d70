using System.Numerics;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The kernel's mdpy sample (samples/vfio-mdev/mdpy.c): one fixed-mode XRGB8888 framebuffer that
/// is BAR0, its size the mode's bytes rounded up to a power of two, described by every query
/// whatever plane is asked, as region <see cref="SimRegionTable.MdpyDisplayRegion"/> of that
/// whole size; no dma-bufs (GET_GFX_DMABUF is -ENOTTY), no EDID, no reset. The guest draws
/// straight into the BAR, and the picture stays while the guest has the display disabled.
/// </summary>
internal sealed class MdpyPersonality : ISimPersonality
{
    private readonly int _stride;
    private SimParts? _parts;
    private SafeMappedRegion? _framebuffer;
    private long _lastDrawn = -1;
    private int _lastBoxX;
    private int _lastBoxY;

    internal MdpyPersonality(SimMode mode)
    {
        _stride = mode.Width * 4;

        // mdpy_init_dev allocates roundup_pow_of_two(width * height * bytepp) and reports that
        // size for BAR0 and the display region alike.
        Bar0Size = (long)BitOperations.RoundUpToPowerOf2((ulong)_stride * (ulong)mode.Height);
    }

    public uint PlaneKind => VFIO_GFX_PLANE_TYPE_REGION;

    public uint DeviceFlags => VFIO_DEVICE_FLAGS_PCI;

    /// <summary>The framebuffer, rounded up to a power of two.</summary>
    public long Bar0Size { get; }

    // MDPY_CONFIG_SPACE_SIZE, 0xff: the size mdpy_get_region_info reports for config space.
    public long ConfigSpaceSize => 0xff;

    public uint? DisplayRegion => SimRegionTable.MdpyDisplayRegion;

    public SimEdidLayout? EdidLayout => null;

    public uint MaxRegionInfoArgsz => uint.MaxValue;

    public bool FixedMode => true;

    public bool KeepsPictureWhileDisabled => true;

    public byte[]? EdidAtOpen(SimMode mode) => null;

    public void Start(SimParts parts, CancellationToken cancel)
    {
        _parts = parts;
        _framebuffer = SafeMappedRegion.Map(parts.DeviceFd, 0, Bar0Size, writable: true, parts.Name + " BAR0");
    }

    public int Query(ref vfio_device_gfx_plane_info info)
    {
        SimParts parts = _parts ?? throw new InvalidOperationException("the personality has not been started");

        // mdpy ignores drm_plane_type: whatever is asked, it describes its one fixed framebuffer.
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = parts.Guest.Advance();
            if (f.Enabled)
            {
                parts.Painter.DrawInto(f, _framebuffer!.GetSpan(), DrmFourcc.XRGB8888, DrmModifier.Linear, _stride, ref _lastDrawn, ref _lastBoxX, ref _lastBoxY);
            }
        }

        SimMode mode = parts.Guest.BaseMode;
        info.drm_format = DrmFourcc.XRGB8888;
        info.drm_format_mod = DrmModifier.Linear;
        info.width = (uint)mode.Width;
        info.height = (uint)mode.Height;
        info.stride = (uint)_stride;
        // mdpy_query_gfx_plane reports the size of the whole framebuffer, not stride * height.
        info.size = (uint)Bar0Size;
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
        info.dmabuf_id = SimRegionTable.MdpyDisplayRegion;
        return 0;
    }

    // mdpy has no GET_GFX_DMABUF handler: its ioctl falls through to -ENOTTY.
    public int GetDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        dmabuf = null;
        return Errno.ENOTTY;
    }

    // mdpy's read copies from the start of its framebuffer whatever the offset within the BAR
    // (mdev_access), so consumers must mmap the region.
    public long ReadOffset(in SimRegion region, long offset) =>
        region.Index == VFIO_PCI_BAR0_REGION_INDEX ? region.Offset : offset;

    public void ModeChanged()
    {
    }

    public void Dispose()
    {
        _framebuffer?.Dispose();
    }
}
