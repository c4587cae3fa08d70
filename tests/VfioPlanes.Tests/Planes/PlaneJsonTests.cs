using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Planes;

/// <summary>PlaneJson.WriteLayout, read back as text: the field names and spellings the replay format and `--json` share.</summary>
public sealed class PlaneJsonTests
{
    private static string Layout(in PlaneInfo plane)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            PlaneJson.WriteLayout(json, plane);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void WriteLayout_APrimary_HasEveryFieldInOrder_AndNullHotspot()
    {
        var primary = new PlaneInfo
        {
            Plane = PlaneType.Primary, Kind = PlaneBufferKind.DmaBuf, Fourcc = DrmFourcc.XRGB8888, Modifier = DrmModifier.I915XTiled,
            Width = 1024, Height = 768, Stride = 4096, Size = 3145728, Id = 3,
        };

        Assert.Equal(
            """{"format":"XR24","modifier":"0x100000000000001","width":1024,"height":768,"stride":4096,"x":0,"y":0,"hot_x":null,"hot_y":null}""",
            Layout(primary));
    }

    [Fact]
    public void WriteLayout_ACursorOffTheTopLeft_HasSignedPositionAndItsHotspot()
    {
        var cursor = new PlaneInfo
        {
            Plane = PlaneType.Cursor, Kind = PlaneBufferKind.DmaBuf, Fourcc = DrmFourcc.ARGB8888, Modifier = DrmModifier.Linear,
            Width = 64, Height = 64, Stride = 256, Size = 16384, X = -5, Y = -63, HasHotspot = true, HotX = 2, HotY = 0, Id = 9,
        };

        Assert.Equal(
            """{"format":"AR24","modifier":"0x0","width":64,"height":64,"stride":256,"x":-5,"y":-63,"hot_x":2,"hot_y":0}""",
            Layout(cursor));
    }

    [Fact]
    public void WriteLayout_NamesNoPlaneKindNorBuffer_WhichTheCallerWrites()
    {
        var region = new PlaneInfo { Plane = PlaneType.Primary, Kind = PlaneBufferKind.Region, Fourcc = DrmFourcc.XRGB8888, Width = 1, Height = 1, Stride = 4, Size = 4, Id = 16 };

        using JsonDocument doc = JsonDocument.Parse(Layout(region));

        string[] names = [.. doc.RootElement.EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["format", "modifier", "width", "height", "stride", "x", "y", "hot_x", "hot_y"], names);
    }
}
