using System.Text.Json;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Commands;

/// <summary>How a plane is written out by info and watch, as JSON fields and as text.</summary>
internal static class PlaneText
{
    /// <summary>The plane's one spelling, <see cref="PlaneNames.Name"/>.</summary>
    public static string Name(PlaneType plane) => plane.Name();

    /// <summary>
    /// Writes the plane's fields into the current JSON object; a null plane (disabled) writes them as
    /// null, with the id under the name <paramref name="kind"/> gives it (dmabuf_id or region_index).
    /// </summary>
    public static void WriteFields(Utf8JsonWriter json, in PlaneInfo? plane, PlaneBufferKind kind)
    {
        if (plane is not PlaneInfo p)
        {
            foreach (string name in (ReadOnlySpan<string>)["format", "modifier", "width", "height", "stride", "size", "x", "y", "hot_x", "hot_y"])
            {
                json.WriteNull(name);
            }

            json.WriteNull(IdName(kind));
            return;
        }

        PlaneJson.WriteLayout(json, p);
        json.WriteNumber("size", p.Size);
        json.WriteNumber(IdName(p.Kind), p.Id);
    }

    private static string IdName(PlaneBufferKind kind) => kind == PlaneBufferKind.DmaBuf ? "dmabuf_id" : "region_index";

    /// <summary>
    /// A layout of the device's plane that a converter or the renderer refuses (Yf tiling, a size
    /// beyond a texture): a fault of the device, not of the command line, so it is reported as
    /// data (exit 1) naming the device and the plane, with the reason without its parameter name.
    /// </summary>
    public static InvalidDataException Fault(string device, in PlaneInfo plane, Exception e)
    {
        string reason = e is ArgumentException { ParamName: string name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
        return new InvalidDataException($"{device}: {Name(plane.Plane)} plane {Describe(plane)}: {reason}", e);
    }

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
