using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>How a plane's layout is described in messages, logs and the info and watch output; its name is <see cref="PlaneNames.Name"/>.</summary>
public static class PlaneDescription
{
    /// <summary>"XR24 LINEAR 1024x768 stride 4096 size 3145728 dmabuf_id 3", plus position and hotspot for a cursor.</summary>
    public static string Describe(in PlaneInfo p)
    {
        string where = p.Kind == PlaneBufferKind.DmaBuf ? $"dmabuf_id {p.Id}" : $"region {p.Id}";
        string text = $"{DrmFourcc.ToText(p.Fourcc)} {DrmModifier.ToText(p.Modifier)} {p.Width}x{p.Height} stride {p.Stride} size {p.Size} {where}";
        if (p.Plane == PlaneType.Cursor)
        {
            text += $" at {p.X},{p.Y}" + (p.HasHotspot ? $" hotspot {p.HotX},{p.HotY}" : " no hotspot");
        }

        return text;
    }
}
