using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// Intel GVT-g (kvmgt): a primary (tiled when the options say) and a cursor plane with its
/// hotspot hidden when the guest hides it, the caller's struct left as it was for a plane not
/// shown, reset supported, -EINVAL for an unknown dma-buf id, and freed ids handed out again
/// (its idr reuses them), and its EDID region (<see cref="SimEdidLayout.Gvt"/>): 128 bytes
/// reported with the blob at 2048, made over the vGPU's own EDID with link_state unset.
/// </summary>
internal sealed class GvtPersonality : DmaBufPersonality
{
    public override uint DeviceFlags => VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;

    protected override SimBufferRetention Retention => SimBufferRetention.FreeOldModesReuseIds;

    protected override bool HasCursorPlane => true;

    protected override int UnknownIdErrno => Errno.EINVAL;

    public override SimEdidLayout? EdidLayout => SimEdidLayout.Gvt;

    public override int Query(ref vfio_device_gfx_plane_info info)
    {
        // kvmgt leaves the caller's struct as it was when the plane is disabled, so a caller that
        // does not zero it before each query reads its own stale values back.
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = Parts.Guest.Advance();
            if (f.Enabled)
            {
                PlaneAnswers.Primary(ref info, DrawPrimary(f));
            }

            return 0;
        }

        if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            GuestFrame current = Parts.Guest.Current;
            if (current.Enabled && Parts.Pool.HasCursors)
            {
                PlaneAnswers.Cursor(ref info, Parts.Pool.Cursor(current.CursorShape), current, hideHotspot: current.CursorHotspotHidden);
            }

            return 0;
        }

        return Errno.EINVAL;
    }
}
