using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>The output fields of a plane query (struct vfio_device_gfx_plane_info), filled from a buffer or cleared.</summary>
internal static class PlaneAnswers
{
    /// <summary>Clears every output field, as a driver answers a plane that is not shown.</summary>
    public static void Clear(ref vfio_device_gfx_plane_info info)
    {
        info.drm_format = 0;
        info.drm_format_mod = 0;
        info.width = 0;
        info.height = 0;
        info.stride = 0;
        info.size = 0;
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
        info.dmabuf_id = 0;
    }

    /// <summary>A primary plane shown from <paramref name="b"/> at the origin.</summary>
    public static void Primary(ref vfio_device_gfx_plane_info info, SimBuffer b)
    {
        Layout(ref info, b);
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
    }

    /// <summary>
    /// The cursor of frame <paramref name="f"/> shown from <paramref name="b"/>, with its shape's
    /// hotspot, or VFIO_GFX_NO_HOTSPOT when <paramref name="hideHotspot"/>.
    /// </summary>
    public static void Cursor(ref vfio_device_gfx_plane_info info, SimBuffer b, in GuestFrame f, bool hideHotspot)
    {
        (int hx, int hy) = TestPattern.CursorHotspot(f.CursorShape);
        Layout(ref info, b);
        info.x_pos = unchecked((uint)f.CursorX);
        info.y_pos = unchecked((uint)f.CursorY);
        info.x_hot = hideHotspot ? VFIO_GFX_NO_HOTSPOT : (uint)hx;
        info.y_hot = hideHotspot ? VFIO_GFX_NO_HOTSPOT : (uint)hy;
    }

    private static void Layout(ref vfio_device_gfx_plane_info info, SimBuffer b)
    {
        info.drm_format = b.Fourcc;
        info.drm_format_mod = b.Modifier;
        info.width = (uint)b.Width;
        info.height = (uint)b.Height;
        info.stride = (uint)b.Stride;
        info.size = b.Size;
        info.dmabuf_id = b.Id;
    }
}
