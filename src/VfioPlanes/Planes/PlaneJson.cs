using System.Text.Json;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>The one spelling of a plane's layout in JSON, shared by `watch --json`, `info --json` and the replay format.</summary>
public static class PlaneJson
{
    /// <summary>
    /// Writes format (fourcc text), modifier (hex text), width, height, stride, x, y, hot_x and
    /// hot_y (null when the device reports no hotspot) into the current object.
    /// </summary>
    public static void WriteLayout(Utf8JsonWriter json, in PlaneInfo p)
    {
        json.WriteString("format", DrmFourcc.ToText(p.Fourcc));
        json.WriteString("modifier", DrmModifier.ToHex(p.Modifier));
        json.WriteNumber("width", p.Width);
        json.WriteNumber("height", p.Height);
        json.WriteNumber("stride", p.Stride);
        json.WriteNumber("x", p.X);
        json.WriteNumber("y", p.Y);
        if (p.HasHotspot)
        {
            json.WriteNumber("hot_x", p.HotX);
            json.WriteNumber("hot_y", p.HotY);
        }
        else
        {
            json.WriteNull("hot_x");
            json.WriteNull("hot_y");
        }
    }
}
