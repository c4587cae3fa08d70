using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The well-behaved dma-buf device (`sim`): a primary and a cursor plane, every output field
/// cleared for a plane not shown, reset supported, old modes' buffers freed and their ids never
/// handed out again.
/// </summary>
internal sealed class DefaultPersonality : DmaBufPersonality
{
    public override uint DeviceFlags => VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;

    protected override SimBufferRetention Retention => SimBufferRetention.FreeOldModes;

    protected override bool HasCursorPlane => true;

    public override int Query(ref vfio_device_gfx_plane_info info)
    {
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = Parts.Guest.Advance();
            if (!f.Enabled)
            {
                PlaneAnswers.Clear(ref info);
                return 0;
            }

            PlaneAnswers.Primary(ref info, DrawPrimary(f));
            return 0;
        }

        if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            GuestFrame current = Parts.Guest.Current;
            if (!current.Enabled || !Parts.Pool.HasCursors)
            {
                PlaneAnswers.Clear(ref info);
                return 0;
            }

            PlaneAnswers.Cursor(ref info, Parts.Pool.Cursor(current.CursorShape), current, hideHotspot: false);
            return 0;
        }

        return Errno.EINVAL;
    }
}
