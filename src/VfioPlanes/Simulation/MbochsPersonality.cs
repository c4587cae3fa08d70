using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The kernel's mbochs sample (samples/vfio-mdev/mbochs.c): a primary plane only, one buffer per
/// mode kept for the life of the device, -ENOMEM from the first primary query after an open or
/// a mode change, no reset, no EDID until a VMM writes one, an EDID region laid out and written
/// as mbochs' (<see cref="SimEdidLayout.Mbochs"/>), and region info refused to a caller whose
/// argsz is larger than the info with its EDID capability.
/// </summary>
internal sealed class MbochsPersonality : DmaBufPersonality
{
    // offsetofend(struct vfio_region_info, offset) plus struct vfio_region_info_cap_type.
    private const uint RegionInfoWithCapSize = 32 + 16;

    // mbochs frees its dma-bufs when the device is closed, and its query makes the buffer for a
    // mode it has none for but answers that query with -ENOMEM (mbochs_query_gfx_plane): the
    // first primary query after an open fails like the first after a mode change.
    private bool _failNextPrimary = true;

    // Seen from the 6.1 mbochs sample: it takes its region info (with the EDID type capability,
    // 48 bytes) only from a caller whose argsz is at most that size, so a viewer must ask with
    // sizeof(struct vfio_region_info) and then the argsz it reports.
    public override uint MaxRegionInfoArgsz => RegionInfoWithCapSize;

    // MBOCHS_CONFIG_SPACE_SIZE, 0xff: the size mbochs_get_region_info reports for config space.
    public override long ConfigSpaceSize => 0xff;

    public override SimEdidLayout? EdidLayout => SimEdidLayout.Mbochs;

    protected override SimBufferRetention Retention => SimBufferRetention.KeepEveryMode;

    // mbochs starts with link_state 0 and no blob, until a VMM writes one.
    public override byte[]? EdidAtOpen(SimMode mode) => null;

    public override int Query(ref vfio_device_gfx_plane_info info)
    {
        // mbochs_query_gfx_plane clears the position and hotspot fields first, and answers any
        // non-primary plane (it has no cursor) and a disabled display with zeros.
        PlaneAnswers.Clear(ref info);
        if (info.drm_plane_type != DRM_PLANE_TYPE_PRIMARY)
        {
            return 0;
        }

        GuestFrame f = Parts.Guest.Advance();
        if (!f.Enabled)
        {
            return 0;
        }

        if (f.FirstAfterModeChange || _failNextPrimary)
        {
            _failNextPrimary = false;
            return Errno.ENOMEM;
        }

        PlaneAnswers.Primary(ref info, DrawPrimary(f));
        return 0;
    }

    public override void ModeChanged()
    {
        _failNextPrimary = true;
    }
}
