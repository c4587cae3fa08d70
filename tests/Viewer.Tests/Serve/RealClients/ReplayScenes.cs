// The frames the real-client tests serve, as sim:replay files in a temporary folder, and the
// pictures a client must end up with: each scene's `vgpuview capture`, decoded by ImageMagick.
using System.Text.Json.Nodes;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

/// <summary>An RGBA picture (8 bits per channel, rows top down, no padding).</summary>
public sealed record RgbaImage(int Width, int Height, byte[] Pixels);

/// <summary>
/// Scene A: the sim's 1024x768 XR24 test pattern with a block of pseudo-random pixels and a block
/// of one-pixel stripes written into it (so every encoder meets both noise and few colours), and
/// its 64x64 AR24 arrow cursor moved fully on screen at (<see cref="CursorX"/>, <see cref="CursorY"/>)
/// with hotspot (<see cref="HotX"/>, <see cref="HotY"/>). Scene B: the sim's 640x480 pattern with
/// the cursor at another place and hotspot. A mode-change replay plays A, then B, then again.
/// </summary>
public sealed class ReplayScenes : IDisposable
{
    public const int CursorX = 300;
    public const int CursorY = 200;
    public const int HotX = 7;
    public const int HotY = 11;
    public const int HotXB = 3;
    public const int HotYB = 20;

    /// <summary>How many replayed frames each mode lasts in <see cref="ModeChange"/>: a second or so at the server's polling rate.</summary>
    public const int FramesPerMode = 40;

    private readonly Dictionary<string, RgbaImage> _expected = [];

    public ReplayScenes()
    {
        Dir = Directory.CreateTempSubdirectory("vgpuview-realclients-").FullName;
        try
        {
            (SceneA, SceneAPrimaryOnly, SceneB, SceneBPrimaryOnly, ModeChange, Alternating) = Build();
            CursorArgb = File.ReadAllBytes(Path.Combine(Dir, "a.cursor.raw"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Dir { get; }

    public string SceneA { get; }

    public string SceneAPrimaryOnly { get; }

    public string SceneB { get; }

    public string SceneBPrimaryOnly { get; }

    public string ModeChange { get; }

    /// <summary>Scene A and scene B in turn, one frame each.</summary>
    public string Alternating { get; }

    /// <summary>Scene A's cursor plane as the device laid it out: 64x64 AR24 (B, G, R, A bytes), stride 256.</summary>
    public byte[] CursorArgb { get; }

    /// <summary>`vgpuview capture sim:replay=<paramref name="json"/>`, decoded by ImageMagick.</summary>
    public RgbaImage Expected(string json)
    {
        lock (_expected)
        {
            if (_expected.TryGetValue(json, out RgbaImage? image))
            {
                return image;
            }

            string png = Path.ChangeExtension(json, ".expected.png");
            var cli = new CliRunner();
            Assert.Equal(ExitCodes.Success, cli.Run("capture", "sim:replay=" + json, "-o", png));
            image = Decode(png);
            _expected[json] = image;
            return image;
        }
    }

    /// <summary>A PNG through ImageMagick, the decoder nobody here wrote.</summary>
    public static RgbaImage Decode(string png)
    {
        string[] size = ImageMagick.Property(png, "%w %h").Split(' ');
        return new RgbaImage(int.Parse(size[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(size[1], System.Globalization.CultureInfo.InvariantCulture), ImageMagick.DecodeRgba(png));
    }

    /// <summary>Fails unless <paramref name="actual"/> has the size and the RGB of every pixel of <paramref name="expected"/> (alpha is not compared: an RFB framebuffer has none).</summary>
    public static void AssertSameRgb(RgbaImage expected, RgbaImage actual, string what)
    {
        Assert.True(expected.Width == actual.Width && expected.Height == actual.Height, $"{what}: {actual.Width}x{actual.Height}, expected {expected.Width}x{expected.Height}");
        int differing = 0;
        int first = -1;
        for (int i = 0; i < expected.Pixels.Length; i += 4)
        {
            if (expected.Pixels[i] != actual.Pixels[i] || expected.Pixels[i + 1] != actual.Pixels[i + 1] || expected.Pixels[i + 2] != actual.Pixels[i + 2])
            {
                differing++;
                first = first < 0 ? i / 4 : first;
            }
        }

        if (differing > 0)
        {
            int x = first % expected.Width, y = first / expected.Width;
            int o = first * 4;
            Assert.Fail($"{what}: {differing} of {expected.Width * expected.Height} pixels differ; first at ({x},{y}): " +
                $"rgb({actual.Pixels[o]},{actual.Pixels[o + 1]},{actual.Pixels[o + 2]}), expected rgb({expected.Pixels[o]},{expected.Pixels[o + 1]},{expected.Pixels[o + 2]})");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A client still holding a file: the folder is in /tmp and goes with it.
        }
    }

    private (string SceneA, string SceneAPrimaryOnly, string SceneB, string SceneBPrimaryOnly, string ModeChange, string Alternating) Build()
    {
        JsonObject a = CaptureRaw("sim", "a");
        DisturbPrimary(Path.Combine(Dir, "a.raw"), stride: 4096);
        MoveCursor(a, CursorX, CursorY, HotX, HotY);
        string sceneA = Write("scene-a.json", a);
        string sceneAPrimary = Write("scene-a-primary.json", PrimaryOnly(a));

        JsonObject b = CaptureRaw("sim:640x480", "b");
        MoveCursor(b, 500, 40, HotXB, HotYB);
        string sceneB = Write("scene-b.json", b);
        string sceneBPrimary = Write("scene-b-primary.json", PrimaryOnly(b));

        var frames = new JsonArray();
        foreach (JsonObject scene in new[] { a, b })
        {
            for (int i = 0; i < FramesPerMode; i++)
            {
                frames.Add(scene["planes"]!.DeepClone());
            }
        }

        string modeChange = Write("mode-change.json", new JsonObject { ["frames"] = frames });
        string alternating = Write("alternating.json", new JsonObject { ["frames"] = new JsonArray(a["planes"]!.DeepClone(), b["planes"]!.DeepClone()) });
        return (sceneA, sceneAPrimary, sceneB, sceneBPrimary, modeChange, alternating);
    }

    private JsonObject CaptureRaw(string device, string name)
    {
        var cli = new CliRunner();
        int code = cli.Run("capture", device, "-o", Path.Combine(Dir, name + ".png"), "--raw");
        Assert.True(code == ExitCodes.Success, $"capture {device} --raw: exit {code}: {cli.Error}");
        return (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, name + ".json")))!;
    }

    /// <summary>Noise (xorshift32, fixed seed) in 256x128 at (600, 520), one-pixel stripes of two colours in 240x96 at (40, 560).</summary>
    private static void DisturbPrimary(string raw, int stride)
    {
        byte[] bytes = File.ReadAllBytes(raw);
        uint state = 0x9E3779B9;
        for (int y = 520; y < 648; y++)
        {
            for (int x = 600; x < 856; x++)
            {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                int o = y * stride + x * 4;
                bytes[o] = (byte)state;
                bytes[o + 1] = (byte)(state >> 8);
                bytes[o + 2] = (byte)(state >> 16);
            }
        }

        for (int y = 560; y < 656; y++)
        {
            for (int x = 40; x < 280; x++)
            {
                bool on = ((x + y) & 1) == 0 || (y / 8 % 2 == 0 && x % 5 == 0);
                int o = y * stride + x * 4;
                bytes[o] = on ? (byte)0x20 : (byte)0xF0;
                bytes[o + 1] = on ? (byte)0x40 : (byte)0xE0;
                bytes[o + 2] = on ? (byte)0x80 : (byte)0x10;
            }
        }

        File.WriteAllBytes(raw, bytes);
    }

    private static void MoveCursor(JsonObject scene, int x, int y, int hotX, int hotY)
    {
        foreach (JsonNode? plane in scene["planes"]!.AsArray())
        {
            if ((string?)plane!["plane"] == "cursor")
            {
                plane["x"] = x;
                plane["y"] = y;
                plane["hot_x"] = hotX;
                plane["hot_y"] = hotY;
                return;
            }
        }

        Assert.Fail("the sim's capture --raw wrote no cursor plane");
    }

    private static JsonObject PrimaryOnly(JsonObject scene)
    {
        var planes = new JsonArray();
        foreach (JsonNode? plane in scene["planes"]!.AsArray())
        {
            if ((string?)plane!["plane"] == "primary")
            {
                planes.Add(plane.DeepClone());
            }
        }

        return new JsonObject { ["planes"] = planes };
    }

    private string Write(string name, JsonObject json)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }
}
