// The deterministic guests the serve tests show: a captured sim frame and replays made from it.
using System.Text.Json;
using VgpuView.VfioPlanes.Png;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>
/// Captures the simulated vGPU once with --raw, which gives a replay file and the PNG `capture`
/// made of it: the expected picture, decoded by the PNG reader. From the same raw bytes it makes
/// a replay whose guest changes one 10x10 block every 10 frames, and one that changes mode.
/// </summary>
public sealed class ReplayFixture : IDisposable
{
    public ReplayFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"vgpuview-serve-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Success, cli.Run("capture", "sim", "--raw", "-o", Path.Combine(Directory, "frame.png")));
        Json = Path.Combine(Directory, "frame.json");
        Assert.Equal(ExitCodes.Success, new CliRunner().Run("capture", "sim:replay=" + Json, "-o", Path.Combine(Directory, "expected.png")));
        Assert.Equal(ExitCodes.Success, new CliRunner().Run("capture", "sim:replay=" + Json, "--no-cursor", "-o", Path.Combine(Directory, "primary.png")));
        Expected = PngReader.ReadFile(Path.Combine(Directory, "expected.png"));
        Primary = PngReader.ReadFile(Path.Combine(Directory, "primary.png"));

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Json));
        JsonElement[] planes = [.. doc.RootElement.GetProperty("planes").EnumerateArray()];
        JsonElement cursor = planes.Single(p => p.GetProperty("plane").GetString() == "cursor");
        HotX = cursor.GetProperty("hot_x").GetInt32();
        HotY = cursor.GetProperty("hot_y").GetInt32();
        CursorWidth = cursor.GetProperty("width").GetInt32();
        CursorHeight = cursor.GetProperty("height").GetInt32();
        Assert.Equal("AR24", cursor.GetProperty("format").GetString());
        CursorBgra = File.ReadAllBytes(Path.Combine(Directory, cursor.GetProperty("file").GetString()!));

        // The same primary with a 10x10 block changed inside tile (3, 2) of 64x64 tiles.
        JsonElement primary = planes.Single(p => p.GetProperty("plane").GetString() == "primary");
        Assert.Equal("XR24", primary.GetProperty("format").GetString());
        int stride = primary.GetProperty("stride").GetInt32();
        byte[] raw = File.ReadAllBytes(Path.Combine(Directory, primary.GetProperty("file").GetString()!));
        for (int y = 140; y < 150; y++)
        {
            for (int x = 200; x < 210; x++)
            {
                raw[(y * stride) + (x * 4)] ^= 0xFF;
            }
        }

        File.WriteAllBytes(Path.Combine(Directory, "changed.raw"), raw);
        string planeA = PlaneJson("frame.raw", "XR24", Expected.Width, Expected.Height, stride);
        string planeB = PlaneJson("changed.raw", "XR24", Expected.Width, Expected.Height, stride);
        string cursorJson = cursor.GetRawText();
        ChangingJson = Path.Combine(Directory, "changing.json");
        File.WriteAllText(ChangingJson, $"{{\"frames\":[{Repeat($"[{planeA},{cursorJson}]", 10)},{Repeat($"[{planeB},{cursorJson}]", 10)}]}}");

        // A mode change: 640x480 from the same bytes (the first 640 pixels of each row) every 15 frames.
        ModeJson = Path.Combine(Directory, "mode.json");
        string small = PlaneJson("frame.raw", "XR24", 640, 480, stride);
        File.WriteAllText(ModeJson, $"{{\"frames\":[{Repeat($"[{planeA},{cursorJson}]", 15)},{Repeat($"[{small},{cursorJson}]", 15)}]}}");
        DisablingJson = Path.Combine(Directory, "disabling.json");
        File.WriteAllText(DisablingJson, $"{{\"frames\":[{Repeat($"[{planeA},{cursorJson}]", 15)},{Repeat("[]", 15)}]}}");
    }

    public string Directory { get; }

    /// <summary>A replay whose guest disables its display for 15 frames out of every 30.</summary>
    public string DisablingJson { get; }

    /// <summary>The replay of one frame; the guest never changes.</summary>
    public string Json { get; }

    /// <summary>`capture` of the replay: the screen with the cursor composed.</summary>
    public PngImage Expected { get; }

    /// <summary>`capture --no-cursor` of the replay.</summary>
    public PngImage Primary { get; }

    public int HotX { get; }

    public int HotY { get; }

    public int CursorWidth { get; }

    public int CursorHeight { get; }

    /// <summary>The cursor plane's bytes as the replay holds them (AR24: B, G, R, A).</summary>
    public byte[] CursorBgra { get; }

    /// <summary>A replay whose 10x10 block at (200, 140) flips every 10 frames.</summary>
    public string ChangingJson { get; }

    /// <summary>A replay that goes between the full mode and 640x480 every 15 frames.</summary>
    public string ModeJson { get; }

    private static string PlaneJson(string file, string format, int width, int height, int stride) =>
        $"{{\"plane\":\"primary\",\"file\":\"{file}\",\"format\":\"{format}\",\"width\":{width},\"height\":{height},\"stride\":{stride}}}";

    private static string Repeat(string item, int count) => string.Join(",", Enumerable.Repeat(item, count));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
