using System.Text.Json;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Capture;

public sealed class RawCaptureTests : IDisposable
{
    // A 3x2 XR24 primary with 4 bytes of row padding (stride 16, 32 bytes) and a 2x2 AR24 cursor.
    private static readonly PlaneInfo s_primary = new()
    {
        Plane = PlaneType.Primary, Kind = PlaneBufferKind.DmaBuf, Fourcc = DrmFourcc.XRGB8888,
        Width = 3, Height = 2, Stride = 16, Size = 32, Id = 7,
    };

    private static readonly PlaneInfo s_cursor = new()
    {
        Plane = PlaneType.Cursor, Kind = PlaneBufferKind.DmaBuf, Fourcc = DrmFourcc.ARGB8888,
        Width = 2, Height = 2, Stride = 8, Size = 16, X = -1, Y = 5, HasHotspot = true, HotX = 1, HotY = 0, Id = 8,
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-raw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Bytes(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 13) + seed))];

    [Fact]
    public void Write_SavesTheBytesAsTheyWereKept_NotAsTheMappingHoldsThemLater()
    {
        byte[] mapping = Bytes(32, 1);
        byte[] cursorMapping = Bytes(16, 2);
        byte[] keptPrimary = (byte[])mapping.Clone();
        byte[] keptCursor = (byte[])cursorMapping.Clone();
        var raw = new RawCapture();

        raw.KeepPrimary(s_primary, mapping);
        raw.KeepCursor(s_cursor, cursorMapping);
        Array.Fill(mapping, (byte)0xEE); // the guest draws the next frame before the files are written
        Array.Fill(cursorMapping, (byte)0xEE);
        raw.Write(Path.Combine(_dir, "shot.png"));

        Assert.Equal(keptPrimary, File.ReadAllBytes(Path.Combine(_dir, "shot.raw")));
        Assert.Equal(keptCursor, File.ReadAllBytes(Path.Combine(_dir, "shot.cursor.raw")));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "shot.json")));
        JsonElement[] planes = [.. doc.RootElement.GetProperty("planes").EnumerateArray()];
        Assert.Equal(2, planes.Length);
        Assert.Equal("primary", planes[0].GetProperty("plane").GetString());
        Assert.Equal("shot.raw", planes[0].GetProperty("file").GetString());
        Assert.Equal(16, planes[0].GetProperty("stride").GetInt32());
        Assert.Equal("cursor", planes[1].GetProperty("plane").GetString());
        Assert.Equal("shot.cursor.raw", planes[1].GetProperty("file").GetString());
        Assert.Equal(-1, planes[1].GetProperty("x").GetInt32());
        Assert.Equal(1, planes[1].GetProperty("hot_x").GetInt32());
    }

    [Fact]
    public void KeepPrimary_ForgetsTheLastFramesCursor()
    {
        var raw = new RawCapture();
        raw.KeepPrimary(s_primary, Bytes(32, 1));
        raw.KeepCursor(s_cursor, Bytes(16, 2));

        raw.KeepPrimary(s_primary, Bytes(32, 3)); // the next frame shows no cursor
        raw.Write(Path.Combine(_dir, "next.png"));

        Assert.Equal(Bytes(32, 3), File.ReadAllBytes(Path.Combine(_dir, "next.raw")));
        Assert.False(File.Exists(Path.Combine(_dir, "next.cursor.raw")));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "next.json")));
        Assert.Single(doc.RootElement.GetProperty("planes").EnumerateArray());
    }

    [Fact]
    public void Keep_CopiesTheReportedSize_NotTheWholeMapping()
    {
        // A mapping is whole pages; the plane is its 32 bytes.
        byte[] mapping = Bytes(4096, 5);
        var raw = new RawCapture();

        raw.KeepPrimary(s_primary, mapping);
        raw.Write(Path.Combine(_dir, "x.png"));

        Assert.Equal(mapping[..32], File.ReadAllBytes(Path.Combine(_dir, "x.raw")));
    }

    [Fact]
    public void Write_WithNothingKept_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new RawCapture().Write(Path.Combine(_dir, "x.png")));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Keep_OfOneMode_AllocatesNothingAfterTheFirstFrame()
    {
        byte[] primary = Bytes(32, 1);
        byte[] cursor = Bytes(16, 2);
        var raw = new RawCapture();
        raw.KeepPrimary(s_primary, primary);
        raw.KeepCursor(s_cursor, cursor);

        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                raw.KeepPrimary(s_primary, primary);
                raw.KeepCursor(s_cursor, cursor);
            }
        });

        Assert.True(least == 0, counts);
    }
}
