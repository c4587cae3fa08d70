using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// A replay file's device (`sim:replay=FILE`): dma-buf planes taken frame by frame from the file
/// (one frame per primary query, looping), its buffers loaded once as ids 1 to n; no EDID, no
/// reset, and a plane the frame lacks answered with cleared fields.
/// </summary>
internal sealed class ReplayPersonality(ReplayFile replay) : DmaBufPersonality
{
    public override SimEdidLayout? EdidLayout => null;

    // Replay buffers are loaded once; no primary is ever made.
    protected override SimBufferRetention Retention => SimBufferRetention.FreeOldModes;

    public override void Start(SimParts parts, CancellationToken cancel)
    {
        base.Start(parts, cancel);
        parts.Pool.AddReplayBuffers(replay, cancel);
    }

    public override int Query(ref vfio_device_gfx_plane_info info)
    {
        ReplayPlane? plane;
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            long frame = Parts.Guest.Tick();
            plane = replay.Frames[(int)(frame % replay.Frames.Count)].Primary;
        }
        else if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            plane = replay.Frames[(int)(Math.Max(Parts.Guest.Frame, 0) % replay.Frames.Count)].Cursor;
        }
        else
        {
            return Errno.EINVAL;
        }

        if (plane is null)
        {
            PlaneAnswers.Clear(ref info);
            return 0;
        }

        info.drm_format = plane.Fourcc;
        info.drm_format_mod = plane.Modifier;
        info.width = (uint)plane.Width;
        info.height = (uint)plane.Height;
        info.stride = (uint)plane.Stride;
        info.size = plane.Size;
        info.x_pos = unchecked((uint)plane.X);
        info.y_pos = unchecked((uint)plane.Y);
        info.x_hot = plane.HotX ?? VFIO_GFX_NO_HOTSPOT;
        info.y_hot = plane.HotY ?? VFIO_GFX_NO_HOTSPOT;
        info.dmabuf_id = (uint)plane.BufferIndex + 1;
        return 0;
    }
}
