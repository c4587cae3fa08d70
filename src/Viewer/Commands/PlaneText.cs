using System.Text.Json;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Commands;

/// <summary>How a plane is written out by info and watch, as JSON fields and as text.</summary>
internal static class PlaneText
{
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
}
