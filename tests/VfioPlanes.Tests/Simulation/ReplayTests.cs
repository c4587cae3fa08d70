using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public sealed class ReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-replay-").FullName;

    public ReplayTests()
    {
        // a.raw: 4x2 XR24, stride 16 (32 bytes); b.raw: 8x2 AR24 cursor, stride 32 (64 bytes);
        // c.raw: 4x2 XR24 with other bytes; short.raw: 10 bytes.
        File.WriteAllBytes(Path.Combine(_dir, "a.raw"), Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        File.WriteAllBytes(Path.Combine(_dir, "b.raw"), Enumerable.Range(0, 64).Select(i => (byte)(200 - i)).ToArray());
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray());
        File.WriteAllBytes(Path.Combine(_dir, "short.raw"), new byte[10]);
        File.WriteAllBytes(Path.Combine(_dir, "tiled.raw"), new byte[4096]);
        File.WriteAllBytes(Path.Combine(_dir, "yuyv.raw"), new byte[2048 * 2]);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string PrimaryA = """{"plane":"primary","file":"a.raw","format":"XR24","width":4,"height":2,"stride":16}""";
    private const string PrimaryC = """{"plane":"primary","file":"c.raw","format":"XR24","modifier":"0x0","width":4,"height":2,"stride":16}""";
    private const string CursorB = """{"plane":"cursor","file":"b.raw","format":"AR24","width":8,"height":2,"stride":32,"x":-5,"y":-1}""";

    private string Write(string json)
    {
        string path = Path.Combine(_dir, "x.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Planes_ServeTheRawBytesWithTheirLayout()
    {
        using var sim = Open("replay=" + Write($$"""{"planes":[{{PrimaryA}},{{CursorB}}]}"""));
        Assert.Equal(0, Query(sim, 0, out _, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF));
        Assert.Equal(0, Query(sim, Primary, out var p));
        Assert.Equal((DrmFourcc.XRGB8888, DrmModifier.Linear, 4u, 2u, 16u, 32u), (p.drm_format, p.drm_format_mod, p.width, p.height, p.stride, p.size));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a.raw")), ReadDmaBuf(sim, p.dmabuf_id, 32));

        Assert.Equal(0, Query(sim, Cursor, out var k));
        Assert.Equal(DrmFourcc.ARGB8888, k.drm_format);
        Assert.Equal((Signed(-5), Signed(-1)), (k.x_pos, k.y_pos));
        Assert.Equal((VFIO_GFX_NO_HOTSPOT, VFIO_GFX_NO_HOTSPOT), (k.x_hot, k.y_hot)); // null hotspot is the default
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "b.raw")), ReadDmaBuf(sim, k.dmabuf_id, 64));
        Assert.NotEqual(p.dmabuf_id, k.dmabuf_id);
    }

    [Fact]
    public void Hotspot_WhenGiven_IsReported()
    {
        string cursor = CursorB.Replace("\"x\":-5", "\"hot_x\":3,\"hot_y\":1,\"x\":-5", StringComparison.Ordinal);
        using var sim = Open("replay=" + Write($$"""{"planes":[{{PrimaryA}},{{cursor}}]}"""));
        Query(sim, Primary, out _);
        Query(sim, Cursor, out var k);
        Assert.Equal((3u, 1u), (k.x_hot, k.y_hot));
    }

    [Fact]
    public void Frames_PlayInOrderAndLoop_WithStableIdsPerBuffer()
    {
        using var sim = Open("replay=" + Write($$"""{"frames":[[{{PrimaryA}},{{CursorB}}],[{{PrimaryC}}],[{{PrimaryA}}],[]]}"""));
        uint[] ids = new uint[8];
        uint[] cursorSizes = new uint[8];
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(0, Query(sim, Primary, out var p));
            Query(sim, Cursor, out var k);
            ids[i] = p.dmabuf_id;
            cursorSizes[i] = k.size;
        }

        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);       // the same buffer again: the cache hits
        Assert.Equal(0u, ids[3]);           // an empty frame: display disabled
        Assert.Equal(ids[..4], ids[4..]);   // loops
        Assert.Equal(new uint[] { 64, 0, 0, 0, 64, 0, 0, 0 }, cursorSizes);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "c.raw")), ReadDmaBuf(sim, ids[1], 32));
    }

    [Fact]
    public void TiledModifier_IsServedWithSizeOfWholeTileRows()
    {
        string tiled = """{"plane":"primary","file":"tiled.raw","format":"XR24","modifier":"0x100000000000001","width":100,"height":3,"stride":512}""";
        using var sim = Open("replay=" + Write($$"""{"planes":[{{tiled}}]}"""));
        Query(sim, Primary, out var p);
        Assert.Equal(DrmModifier.I915XTiled, p.drm_format_mod);
        Assert.Equal(4096u, p.size); // 3 rows rounded up to one 8-row tile row of 512 bytes
    }

    [Fact]
    public void OddWidthYuyv_NeedsAStrideWithAWholeFinalPixelPair()
    {
        // 1023 pixels of YUYV: 512 pairs of 4 bytes, so a row takes 2048 bytes, not 1023 × 2.
        const string yuyv = """{"plane":"primary","file":"yuyv.raw","format":"YUYV","width":1023,"height":2,"stride":STRIDE}""";
        var e = Assert.Throws<InputException>(() => SimulatedDevices.Open("replay=" + Write($$"""{"planes":[{{yuyv.Replace("STRIDE", "2046")}}]}""")));
        Assert.Equal(Path.Combine(_dir, "x.json") + ": planes[0].stride: 2046 is below width 1023 as 512 pixel pairs × 4 bytes of YUYV = 2048", e.Message);

        using var sim = Open("replay=" + Write($$"""{"planes":[{{yuyv.Replace("STRIDE", "2048")}}]}"""));
        Assert.Equal(0, Query(sim, Primary, out var p));
        Assert.Equal((1023u, 2048u), (p.width, p.stride));
    }

    [Fact]
    public void MissingJson_NamesTheFile()
    {
        string none = Path.Combine(_dir, "none.json");
        var e = Assert.Throws<InputException>(() => SimulatedDevices.Open("replay=" + none));
        Assert.Equal($"replay file '{none}' does not exist", e.Message);
    }

    [Fact]
    public void RawFiles_AreFollowedThroughLinks_AndNamedForWhatTheyAre()
    {
        File.CreateSymbolicLink(Path.Combine(_dir, "link.raw"), "a.raw");
        using (var sim = Open("replay=" + Write(Plane(PrimaryA.Replace("\"a.raw\"", "\"link.raw\"", StringComparison.Ordinal)))))
        {
            Assert.Equal(0, Query(sim, Primary, out var p));
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a.raw")), ReadDmaBuf(sim, p.dmabuf_id, 32));
        }

        // Measured as the file the link names, not as the link (whose own size is its target's name).
        File.CreateSymbolicLink(Path.Combine(_dir, "shortlink.raw"), "short.raw");
        File.CreateSymbolicLink(Path.Combine(_dir, "dangling.raw"), "none.raw");
        Directory.CreateDirectory(Path.Combine(_dir, "d.raw"));
        (string File, string Message)[] cases =
        [
            ("shortlink.raw", "planes[0].file: shortlink.raw has 10 bytes, expected at least stride × height = 32"),
            ("dangling.raw", $"planes[0].file: raw file '{_dir}/dangling.raw' is a symbolic link to 'none.raw', which does not exist"),
            ("d.raw", $"planes[0].file: raw file '{_dir}/d.raw' is a directory, not a file"),
        ];
        foreach ((string file, string message) in cases)
        {
            string json = Write(Plane(PrimaryA.Replace("\"a.raw\"", $"\"{file}\"", StringComparison.Ordinal)));
            Assert.StartsWith($"{json}: {message}", Assert.Throws<InputException>(() => SimulatedDevices.Open("replay=" + json)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ASysfsAttribute_AsARawFile_IsMeasuredByWhatItHolds()
    {
        // sysfs reports 4096 bytes for an attribute that holds a few: the read says how many.
        const string attribute = "/sys/kernel/mm/transparent_hugepage/enabled";
        Requires.That(File.Exists(attribute), attribute + " (a sysfs attribute of every kernel with transparent huge pages)");
        string json = Write($$"""{"planes":[{"plane":"primary","file":"{{attribute}}","format":"XR24","width":1024,"height":1,"stride":4096}]}""");

        var e = Assert.Throws<InputException>(() => SimulatedDevices.Open("replay=" + json));

        Assert.Equal($"raw file '{attribute}' has {File.ReadAllText(attribute).Length} bytes, expected at least 4096 (stride × height)", e.Message);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "{", "x.json: not valid JSON" },
        { "[]", "x.json: expected an object" },
        { "{}", "x.json: needs \"planes\"" },
        { $$"""{"planes":[{{PrimaryA}}],"frames":[]}""", "x.json: has both" },
        { $$"""{"planes":[{{PrimaryA}}],"extra":1}""", "x.json: extra: unknown field" },
        { """{"planes":[]}""", "x.json: planes: expected a non-empty array of planes, got an empty array" },
        { """{"planes":{}}""", "x.json: planes: expected a non-empty array of planes, got an object" },
        { """{"frames":[]}""", "x.json: frames: expected a non-empty array of frames (arrays of planes), got an empty array" },
        { $$"""{"frames":[[{{PrimaryA}}],{}]}""", "x.json: frames[1]: expected an array of planes" },
        { """{"planes":[7]}""", "x.json: planes[0]: expected a plane object, got 7" },
        { Plane(PrimaryA.Replace("\"stride\"", "\"strde\"", StringComparison.Ordinal)), "x.json: planes[0].strde: unknown field" },
        { Plane(PrimaryA.Replace("\"plane\":\"primary\",", "", StringComparison.Ordinal)), "x.json: planes[0].plane: is missing" },
        { Plane(PrimaryA.Replace("\"primary\"", "\"overlay\"", StringComparison.Ordinal)), "x.json: planes[0].plane: 'overlay' is not a plane" },
        { $$"""{"planes":[{{PrimaryA}},{{PrimaryC}}]}""", "x.json: planes[1].plane: a second primary plane" },
        { Plane(PrimaryA.Replace("\"file\":\"a.raw\",", "", StringComparison.Ordinal)), "x.json: planes[0].file: is missing" },
        { Plane(PrimaryA.Replace("\"a.raw\"", "\"nope.raw\"", StringComparison.Ordinal)), "x.json: planes[0].file: raw file '{dir}/nope.raw' does not exist" },
        { Plane(PrimaryA.Replace("\"a.raw\"", "5", StringComparison.Ordinal)), "x.json: planes[0].file: expected a non-empty string, got 5" },
        { Plane(PrimaryA.Replace("\"a.raw\"", "\"short.raw\"", StringComparison.Ordinal)), "x.json: planes[0].file: short.raw has 10 bytes, expected at least stride × height = 32" },
        { Plane(PrimaryA.Replace("\"format\":\"XR24\",", "", StringComparison.Ordinal)), "x.json: planes[0].format: is missing" },
        { Plane(PrimaryA.Replace("\"XR24\"", "\"QQ99\"", StringComparison.Ordinal)), "x.json: planes[0].format: 'QQ99' is not a supported DRM format" },
        { Plane(PrimaryC.Replace("\"0x0\"", "\"linear\"", StringComparison.Ordinal)), "x.json: planes[0].modifier: expected hex text" },
        { Plane(PrimaryC.Replace("\"0x0\"", "0", StringComparison.Ordinal)), "x.json: planes[0].modifier: expected hex text" },
        { Plane(PrimaryC.Replace("\"0x0\"", "\"0x300000000000001\"", StringComparison.Ordinal)), "x.json: planes[0].modifier: 0x300000000000001 is not a layout" },
        { Plane(PrimaryA.Replace("\"width\":4,", "", StringComparison.Ordinal)), "x.json: planes[0].width: is missing" },
        { Plane(PrimaryA.Replace("\"width\":4", "\"width\":0", StringComparison.Ordinal)), "x.json: planes[0].width: expected an integer from 1 to 16384, got 0" },
        { Plane(PrimaryA.Replace("\"width\":4", "\"width\":\"4\"", StringComparison.Ordinal)), "x.json: planes[0].width: expected an integer from 1 to 16384, got \"4\"" },
        { Plane(PrimaryA.Replace("\"height\":2", "\"height\":20000", StringComparison.Ordinal)), "x.json: planes[0].height: expected an integer from 1 to 16384, got 20000" },
        { Plane(PrimaryA.Replace("\"stride\":16", "\"stride\":12", StringComparison.Ordinal)), "x.json: planes[0].stride: 12 is below width 4 × 4 bytes of XR24" },
        { Plane(PrimaryA.Replace("\"stride\":16", "\"stride\":1.5", StringComparison.Ordinal)), "x.json: planes[0].stride: expected an integer" },
        { Plane(PrimaryA.Replace(",\"stride\":16", "", StringComparison.Ordinal)), "x.json: planes[0].stride: is missing" },
        { Plane(PrimaryC.Replace("\"0x0\"", "\"0x100000000000001\"", StringComparison.Ordinal)), "x.json: planes[0].stride: 16 is not a multiple of the 512-byte tile width" },
        { Plane(CursorB.Replace("\"x\":-5", "\"x\":\"left\"", StringComparison.Ordinal)), "x.json: planes[0].x: expected an integer" },
        { Plane(CursorB.Replace("\"y\":-1", "\"y\":3000000000", StringComparison.Ordinal)), "x.json: planes[0].y: expected an integer" },
        { Plane(CursorB.Replace("\"x\":-5", "\"hot_x\":-1,\"hot_y\":0,\"x\":-5", StringComparison.Ordinal)), "x.json: planes[0].hot_x: expected an integer from 0 to 7, got -1" },
        { Plane(CursorB.Replace("\"x\":-5", "\"hot_x\":0,\"hot_y\":2,\"x\":-5", StringComparison.Ordinal)), "x.json: planes[0].hot_y: expected an integer from 0 to 1, got 2" },
        { Plane(CursorB.Replace("\"x\":-5", "\"hot_x\":3,\"x\":-5", StringComparison.Ordinal)), "x.json: planes[0].hot_y: is null while hot_x is set" },
    };

    private static string Plane(string plane) => $$"""{"planes":[{{plane}}]}""";

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFile_NamesTheFileAndTheField(string json, string expected)
    {
        string path = Write(json);
        var e = Assert.Throws<InputException>(() => ReplayFile.Parse(json, "x.json", _dir));
        Assert.StartsWith(expected.Replace("{dir}", _dir, StringComparison.Ordinal), e.Message, StringComparison.Ordinal);

        // Through the device opener the message names the file as the user gave it.
        var viaOpen = Assert.Throws<InputException>(() => SimulatedDevices.Open("replay=" + path));
        Assert.StartsWith(path + ":", viaOpen.Message, StringComparison.Ordinal);
    }
}
