using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Rendering;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>
/// `capture` end to end: PNGs decoded by ImageMagick (an independent decoder) and compared with
/// pixels computed here or drawn by the simulated guest before its own encoding.
/// </summary>
public sealed class CaptureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("sim")]
    [InlineData("sim:mbochs")]
    [InlineData("sim:mdpy")]
    [InlineData("sim:gvt")]
    [InlineData("sim:gvt,tiling=y,format=XB24")]
    [InlineData("sim:format=XR30")]
    [InlineData("sim:format=AR24,640x480")]
    public void Capture_NoCursor_EqualsWhatTheGuestDrew(string spec)
    {
        ImageMagick.Require();
        string png = Path.Combine(_dir, "x.png");

        int code = Capture(spec, "-o", png, "--no-cursor");

        Assert.Equal(ExitCodes.Success, code);
        using var sim = (SimulatedVgpu)SimulatedDevices.Open(spec.Length > 4 ? spec[4..] : string.Empty);
        // The guest advances one frame per primary query; mbochs fails the first one after the open
        // (ENOMEM, no buffer yet), so capture shows the frame of its second query.
        long frame = spec == "sim:mbochs" ? 1 : 0;
        byte[] truth = sim.RenderPrimaryTruth(frame, out SimMode mode);
        for (int i = 3; i < truth.Length; i += 4)
        {
            truth[i] = 255; // the primary is shown opaque
        }

        Assert.Equal(mode.ToString(), ImageMagick.Property(png, "%wx%h"));
        AssertSamePixels(truth, ImageMagick.DecodeRgba(png), mode.Width);
    }

    [Fact]
    public void Capture_ReplayWithCursorOffTheEdges_BlendsExactly()
    {
        ImageMagick.Require();

        // A 37x23 XR24 primary with 12 bytes of row padding, and a 16x16 AR24 cursor hanging off
        // the left and bottom edges, with alpha 0, 255 and values between.
        const int w = 37, h = 23, stride = (w * 4) + 12, cw = 16, ch = 16, cx = -5, cy = 15;
        byte[] primary = new byte[stride * h];
        var expected = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                byte r = (byte)(x * 7), g = (byte)(y * 11), b = (byte)((x * y) + 3);
                ((ReadOnlySpan<byte>)[b, g, r, 0x5A]).CopyTo(primary.AsSpan((y * stride) + (x * 4), 4)); // XR24: B, G, R, X in memory
                ((ReadOnlySpan<byte>)[r, g, b, 255]).CopyTo(expected.AsSpan(((y * w) + x) * 4, 4));
            }
        }

        byte[] cursor = new byte[cw * 4 * ch];
        for (int y = 0; y < ch; y++)
        {
            for (int x = 0; x < cw; x++)
            {
                byte a = (byte)(x == 0 ? 0 : x == 1 ? 255 : x * 16), r = (byte)(200 + y), g = 10, b = (byte)(x * 9);
                ((ReadOnlySpan<byte>)[b, g, r, a]).CopyTo(cursor.AsSpan((y * cw * 4) + (x * 4), 4)); // AR24: B, G, R, A in memory
                int sx = cx + x, sy = cy + y;
                if (sx < 0 || sy < 0 || sx >= w || sy >= h)
                {
                    continue;
                }

                Span<byte> d = expected.AsSpan(((sy * w) + sx) * 4, 4);
                d[0] = (byte)(((r * a) + (d[0] * (255 - a)) + 127) / 255);
                d[1] = (byte)(((g * a) + (d[1] * (255 - a)) + 127) / 255);
                d[2] = (byte)(((b * a) + (d[2] * (255 - a)) + 127) / 255);
            }
        }

        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), primary);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), cursor);
        string json = Path.Combine(_dir, "frame.json");
        File.WriteAllText(json, $$"""
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"XR24","width":{{w}},"height":{{h}},"stride":{{stride}}},
              {"plane":"cursor","file":"c.raw","format":"AR24","modifier":"0x0","width":{{cw}},"height":{{ch}},"stride":{{cw * 4}},
               "x":{{cx}},"y":{{cy}},"hot_x":3,"hot_y":4}
            ]}
            """);
        string png = Path.Combine(_dir, "out.png");

        int code = Capture("sim:replay=" + json, "-o", png);

        Assert.Equal(ExitCodes.Success, code);
        AssertSamePixels(expected, ImageMagick.DecodeRgba(png), w);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Capture_Ar24PrimaryWithVaryingAlpha_IsOpaqueUnlessKeepAlpha(bool keepAlpha)
    {
        ImageMagick.Require();

        // An 8x4 AR24 primary whose alpha runs through 64, 1, 128, 0, 200, 254 and 255, under a
        // 3x2 AR24 cursor at (2, 1) with alpha 255, 128, 0 / 255, 64, 1.
        const int w = 8, h = 4, cw = 3, ch = 2, cx = 2, cy = 1;
        byte[] alphas = [64, 1, 128, 0, 200, 254, 255, 0];
        byte[] cursorAlphas = [255, 128, 0, 255, 64, 1];
        byte[] primary = new byte[w * 4 * h];
        var expected = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                byte r = (byte)(200 - (x * 9)), g = (byte)(y * 60), b = (byte)(x * 30), a = alphas[(x + y) % alphas.Length];
                ((ReadOnlySpan<byte>)[b, g, r, a]).CopyTo(primary.AsSpan(((y * w) + x) * 4, 4)); // AR24: B, G, R, A in memory
                ((ReadOnlySpan<byte>)[r, g, b, keepAlpha ? a : (byte)255]).CopyTo(expected.AsSpan(((y * w) + x) * 4, 4));
            }
        }

        byte[] cursor = new byte[cw * 4 * ch];
        for (int y = 0; y < ch; y++)
        {
            for (int x = 0; x < cw; x++)
            {
                int a = cursorAlphas[(y * cw) + x];
                byte r = 255, g = (byte)(x * 100), b = (byte)(y * 90);
                ((ReadOnlySpan<byte>)[b, g, r, (byte)a]).CopyTo(cursor.AsSpan(((y * cw) + x) * 4, 4));

                // Non-premultiplied over, alpha included: out = (src * a + dst * (255 - a) + 127) / 255, src alpha 255.
                Span<byte> d = expected.AsSpan((((cy + y) * w) + cx + x) * 4, 4);
                d[0] = (byte)(((r * a) + (d[0] * (255 - a)) + 127) / 255);
                d[1] = (byte)(((g * a) + (d[1] * (255 - a)) + 127) / 255);
                d[2] = (byte)(((b * a) + (d[2] * (255 - a)) + 127) / 255);
                d[3] = (byte)(((255 * a) + (d[3] * (255 - a)) + 127) / 255);
            }
        }

        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), primary);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), cursor);
        string json = Path.Combine(_dir, "frame.json");
        File.WriteAllText(json, $$"""
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"AR24","width":{{w}},"height":{{h}},"stride":{{w * 4}}},
              {"plane":"cursor","file":"c.raw","format":"AR24","width":{{cw}},"height":{{ch}},"stride":{{cw * 4}},"x":{{cx}},"y":{{cy}}}
            ]}
            """);
        string png = Path.Combine(_dir, "out.png");

        int code = keepAlpha ? Capture("sim:replay=" + json, "-o", png, "--keep-alpha") : Capture("sim:replay=" + json, "-o", png);

        Assert.Equal(ExitCodes.Success, code);
        byte[] decoded = ImageMagick.DecodeRgba(png);
        AssertSamePixels(expected, decoded, w);

        // Screen pixel (2, 1) has alpha 0 under the cursor's opaque red: opaque red, not hidden.
        Assert.Equal(0, alphas[(2 + 1) % alphas.Length]);
        Assert.Equal(new byte[] { 255, 0, 0, 255 }, decoded.AsSpan(((1 * w) + 2) * 4, 4).ToArray());
        Assert.Equal(keepAlpha ? "6" : "2", ImageMagick.Property(png, "%[png:IHDR.color-type-orig]")); // RGBA only when alpha is kept
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim:gvt")]
    [InlineData("sim:gvt,tiling=y,format=XR30")]
    [InlineData("sim:mdpy")]
    [InlineData("sim:format=YUYV")]
    public void Capture_RawThenReplay_GivesTheSamePng(string spec)
    {
        ImageMagick.Require();
        string first = Path.Combine(_dir, "first.png");
        string second = Path.Combine(_dir, "second.png");

        Assert.Equal(ExitCodes.Success, Capture(spec, "-o", first, "--raw"));
        Assert.True(File.Exists(Path.Combine(_dir, "first.raw")));
        Assert.Equal(ExitCodes.Success, Capture("sim:replay=" + Path.Combine(_dir, "first.json"), "-o", second));

        Assert.Equal(ImageMagick.DecodeRgba(first), ImageMagick.DecodeRgba(second));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "first.json")));
        bool hasCursor = doc.RootElement.GetProperty("planes").EnumerateArray().Any(p => p.GetProperty("plane").GetString() == "cursor");
        Assert.Equal(spec != "sim:mdpy", hasCursor); // mdpy's "cursor" is the primary again: not a cursor
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim:gvt,format=XB24")]
    [InlineData("sim:mdpy")]
    public void Capture_Gpu_GivesTheSamePixelsAsTheCpu(string spec)
    {
        ImageMagick.Require();
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "libEGL.so.1 with Mesa (Debian packages libegl1 libegl-mesa0)");
        string cpu = Path.Combine(_dir, "cpu.png");
        string gpu = Path.Combine(_dir, "gpu.png");

        Assert.Equal(ExitCodes.Success, Capture(spec, "-o", cpu));
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Success, cli.Run("capture", spec, "-o", gpu, "--gpu"));

        Assert.Equal(ImageMagick.DecodeRgba(cpu), ImageMagick.DecodeRgba(gpu));
        Assert.Contains("gl: primary plane", cli.Error.ToString()); // it says which path it took
    }

    [Fact]
    public void Capture_ToStandardOutput_WritesOnePng()
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:640x480", "-o", "-");

        Assert.Equal(ExitCodes.Success, code);
        byte[] png = cli.StandardOutput.ToArray();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(480, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Fact]
    public void Capture_ToAFifo_WritesThePngIntoIt_AndPrintsNoPath()
    {
        string fifo = Path.Combine(_dir, "pipe.png");
        Tool.Run("mkfifo", fifo);
        var cli = new CliRunner();
        int code = 0;

        byte[] png = Fifo.ReadWhile(fifo, () => code = cli.Run("capture", "sim:640x480", "-o", fifo));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(string.Empty, cli.Output.ToString()); // no path: with -o /dev/stdout it would land in the PNG's stream
        Assert.Equal("fifo", Tool.Run("stat", "-c", "%F", fifo).Trim());
        Assert.Equal([fifo], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_SeriesOnChange_WritesEachNumberedFile()
    {
        var cli = new CliRunner();
        string template = Path.Combine(_dir, "shot-{n}-{id}.png");

        int code = cli.Run("capture", "sim", "-o", template, "--count", "3", "--interval", "0", "--on-change");

        Assert.Equal(ExitCodes.Success, code);
        string[] written = cli.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, written.Length);
        for (int n = 0; n < 3; n++)
        {
            Assert.StartsWith(Path.Combine(_dir, $"shot-{n}-"), written[n]);
            Assert.True(File.Exists(written[n]), written[n]);
        }

        Assert.Equal(3, Directory.GetFiles(_dir).Length); // no temporary files left behind
    }

    [Fact]
    public void Capture_SeriesOnChange_WritesOnlyWhenTheScreenChanges()
    {
        ImageMagick.Require();

        // Frames A, A, A, B, then A again as the sequence repeats: with --on-change the captures
        // are A (the first frame), B (frame 3; frames 1 and 2 are the same buffer and pixels)
        // and A (frame 4). Without it they would be A, A, A.
        byte[] a = SolidXr24(4, 2, r: 10, g: 20, b: 30), b = SolidXr24(4, 2, r: 200, g: 100, b: 50);
        File.WriteAllBytes(Path.Combine(_dir, "a.raw"), a);
        File.WriteAllBytes(Path.Combine(_dir, "b.raw"), b);
        const string A = """[{"plane":"primary","file":"a.raw","format":"XR24","width":4,"height":2,"stride":16}]""";
        const string B = """[{"plane":"primary","file":"b.raw","format":"XR24","width":4,"height":2,"stride":16}]""";
        string json = Path.Combine(_dir, "frames.json");
        File.WriteAllText(json, $$"""{"frames":[{{A}},{{A}},{{A}},{{B}}]}""");
        string shots = Directory.CreateDirectory(Path.Combine(_dir, "shots")).FullName;
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:replay=" + json, "-o", Path.Combine(shots, "shot-{n}.png"), "--count", "3", "--interval", "0", "--on-change");

        Assert.True(code == ExitCodes.Success, cli.Error.ToString());
        string[] expectedFiles = [.. Enumerable.Range(0, 3).Select(n => Path.Combine(shots, $"shot-{n}.png"))];
        Assert.Equal(expectedFiles, cli.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(expectedFiles, Directory.GetFileSystemEntries(shots).Order());
        Assert.Equal(Rgba(10, 20, 30, 8), ImageMagick.DecodeRgba(expectedFiles[0]));
        Assert.Equal(Rgba(200, 100, 50, 8), ImageMagick.DecodeRgba(expectedFiles[1]));
        Assert.Equal(Rgba(10, 20, 30, 8), ImageMagick.DecodeRgba(expectedFiles[2]));
    }

    [Fact]
    public void Capture_WaitEnabled_WaitsForTheGuestToEnableItsDisplay()
    {
        ImageMagick.Require();

        // Three frames with the display disabled, then a picture.
        string json = DisabledThenShown(disabledFrames: 3, r: 1, g: 2, b: 3);
        string png = Path.Combine(_dir, "x.png");
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:replay=" + json, "-o", png, "--wait-enabled", "10");

        Assert.True(code == ExitCodes.Success, cli.Error.ToString());
        Assert.Equal(Rgba(1, 2, 3, 8), ImageMagick.DecodeRgba(png));
    }

    [Fact]
    public void Capture_DisabledDisplayWithoutWaitEnabled_FailsAtOnceAndSaysHowToWait()
    {
        string json = DisabledThenShown(disabledFrames: 3, r: 1, g: 2, b: 3);
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:replay=" + json, "-o", Path.Combine(_dir, "x.png"));

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("the guest has not enabled its display (the primary plane is disabled); --wait-enabled SECONDS waits for it", cli.Error.ToString());
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public void Capture_WaitEnabled_DisplayNotEnabledInTime_FailsNamingTheWait()
    {
        // 40 disabled frames take at least 40 polls of 30 ms, far beyond the 0.2 s waited.
        string json = DisabledThenShown(disabledFrames: 40, r: 1, g: 2, b: 3);
        var cli = new CliRunner();
        var clock = Stopwatch.StartNew();

        int code = cli.Run("capture", "sim:replay=" + json, "-o", Path.Combine(_dir, "x.png"), "--wait-enabled", "0.2");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains($"sim:replay={json}: the guest did not enable its display within 0.2 s", cli.Error.ToString());
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(10));
    }

    // A replay of disabledFrames frames with no planes, then a 4x2 XR24 primary of one colour.
    private string DisabledThenShown(int disabledFrames, byte r, byte g, byte b)
    {
        File.WriteAllBytes(Path.Combine(_dir, "shown.raw"), SolidXr24(4, 2, r, g, b));
        string json = Path.Combine(_dir, "frames.json");
        string shown = """[{"plane":"primary","file":"shown.raw","format":"XR24","width":4,"height":2,"stride":16}]""";
        File.WriteAllText(json, $$"""{"frames":[{{string.Concat(Enumerable.Repeat("[],", disabledFrames))}}{{shown}}]}""");
        return json;
    }

    private static byte[] SolidXr24(int width, int height, byte r, byte g, byte b)
    {
        byte[] bytes = new byte[width * height * 4];
        for (int i = 0; i < bytes.Length; i += 4)
        {
            ((ReadOnlySpan<byte>)[b, g, r, 0]).CopyTo(bytes.AsSpan(i)); // XR24: B, G, R, X in memory
        }

        return bytes;
    }

    private static byte[] Rgba(byte r, byte g, byte b, int pixels) => [.. Enumerable.Repeat<byte[]>([r, g, b, 255], pixels).SelectMany(p => p)];

    [Fact]
    public void Capture_SeriesWhoseIdRepeats_StopsBeforeOverwriting()
    {
        // mdpy's one region plane has index 16 in every frame: {id} names every capture 16.png.
        var cli = new CliRunner();
        string first = Path.Combine(_dir, "16.png");

        int code = cli.Run("capture", "sim:mdpy", "-o", Path.Combine(_dir, "{id}.png"), "--count", "3", "--interval", "0");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains($"capture 2 of 3 would overwrite '{first}'", error);
        Assert.Contains("put {n} in the name", error);
        Assert.Equal(first + "\n", cli.Output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal([first], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_SeriesOfPageFlips_StopsWhenTheFirstBufferComesBack()
    {
        // The sim's guest flips between two buffers: ids A, B, A. The third name is the first's.
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "id-{id}.png"), "--count", "3", "--interval", "0");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string[] written = cli.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, written.Length);
        Assert.NotEqual(written[0], written[1]);
        Assert.Contains($"capture 3 of 3 would overwrite '{written[0]}'", cli.Error.ToString());
        Assert.Equal(written.Order(), Directory.GetFileSystemEntries(_dir).Order());
    }

    [Fact]
    public void Capture_TimeTemplate_NamesTheFileWithTheUtcTimeInMilliseconds()
    {
        var cli = new CliRunner();
        DateTime before = DateTime.UtcNow;

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "shot-{time}.png"));

        DateTime after = DateTime.UtcNow;
        Assert.Equal(ExitCodes.Success, code);
        string name = Path.GetFileName(Assert.Single(Directory.GetFileSystemEntries(_dir)));
        Match m = Regex.Match(name, @"^shot-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z\.png$");
        Assert.True(m.Success, name);
        int[] f = [.. m.Groups.Values.Skip(1).Select(g => int.Parse(g.Value, CultureInfo.InvariantCulture))];
        var stamp = new DateTime(f[0], f[1], f[2], f[3], f[4], f[5], f[6], DateTimeKind.Utc);
        Assert.InRange(stamp, before.AddMilliseconds(-1), after);
        Assert.Equal(Path.Combine(_dir, name) + "\n", cli.Output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Capture_TimeTemplateSeries_WritesOneFilePerCapture()
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "shot-{time}.png"), "--count", "3", "--interval", "20");

        Assert.Equal(ExitCodes.Success, code);
        string[] written = cli.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, written.Distinct().Count());
        Assert.Equal(written.Order(), Directory.GetFileSystemEntries(_dir).Order());
    }

    [Fact]
    public void Capture_UnwritableOutput_FailsAndLeavesNothing()
    {
        var cli = new CliRunner();
        string missingDir = Path.Combine(_dir, "no-such-dir", "x.png");

        int code = cli.Run("capture", "sim", "-o", missingDir);

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains(missingDir, cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("--count", "2")]
    [InlineData("--level", "10")]
    [InlineData("--wait-enabled", "-1")]
    public void Capture_BadOptions_ExitWithUsage(string option, string value)
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "x.png"), option, value);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("shot.json")]
    [InlineData("shot.raw")]
    [InlineData("shot.cursor.raw")]
    [InlineData("{n}.raw")]
    public void Capture_RawWithAPngNamedLikeTheRawFiles_IsAUsageError(string name)
    {
        File.WriteAllText(Path.Combine(_dir, "shot.json"), "kept");
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, name), "--raw");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--raw writes", cli.Error.ToString());
        Assert.Contains("would be overwritten", cli.Error.ToString());
        Assert.Equal([Path.Combine(_dir, "shot.json")], Directory.GetFileSystemEntries(_dir));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(_dir, "shot.json")));
    }

    [Fact]
    public void Capture_RawSeriesWithTheNumberInTheExtension_IsAUsageError()
    {
        var cli = new CliRunner();

        // x.{n} gives PNGs x.0 and x.1, but both captures' raw files would be x.raw and x.json.
        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "x.{n}"), "--raw", "--count", "2", "--interval", "0");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("put {n} before the extension", cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_CursorTheConverterRefuses_NamesTheCursorPlane()
    {
        // The sim's 64x64 AR24 cursor, reported as Yf-tiled: a layout the plane query accepts
        // (a known modifier, whole tiles) and the CPU converter does not undo.
        var cli = new CliRunner(new YfPlaneOpener());

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "x.png"));

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString().Trim();
        Assert.StartsWith("vgpuview: sim: cursor plane AR24 I915_Yf_TILED 64x64 stride 256 ", error);
        Assert.Contains(": unsupported modifier I915_Yf_TILED", error);
        Assert.DoesNotContain("primary", error);
        Assert.DoesNotContain("Parameter", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_GpuOfACursorTheRendererRefuses_NamesTheDeviceAndTheCursorPlane()
    {
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "libEGL.so.1 with Mesa (Debian packages libegl1 libegl-mesa0)");

        // Nothing imports a Yf-tiled cursor here (Mesa 22 imports nothing), and the upload
        // fallback cannot undo Yf: a fault of the device's plane, not of the command line.
        var cli = new CliRunner(new YfPlaneOpener());

        int code = cli.Run("capture", "sim", "-o", Path.Combine(_dir, "x.png"), "--gpu");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains("vgpuview: sim: cursor plane AR24 I915_Yf_TILED 64x64 stride 256 ", error);
        Assert.Contains(": unsupported modifier I915_Yf_TILED", error);
        Assert.DoesNotContain("internal error", error);
        Assert.DoesNotContain("Parameter", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_GpuOfAPrimaryTheRendererRefuses_NamesTheDeviceAndThePrimaryPlane()
    {
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "libEGL.so.1 with Mesa (Debian packages libegl1 libegl-mesa0)");
        var cli = new CliRunner(new YfPlaneOpener(primary: true));

        int code = cli.Run("capture", "sim:640x480", "-o", Path.Combine(_dir, "x.png"), "--gpu");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains("vgpuview: sim:640x480: primary plane XR24 I915_Yf_TILED 640x480 stride 2560 ", error);
        Assert.Contains(": unsupported modifier I915_Yf_TILED", error);
        Assert.DoesNotContain("internal error", error);
        Assert.DoesNotContain("Parameter", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("9")]
    [InlineData("-1")]
    [InlineData("bogus")]
    public void Capture_FilterNotByName_IsAUsageErrorBeforeTheDeviceOpens(string filter)
    {
        var cli = new CliRunner();

        // sim:unplug=0 fails as soon as it is queried (exit 1): exit 2 means parsing refused first.
        int code = cli.Run("capture", "sim:unplug=0", "-o", Path.Combine(_dir, "x.png"), "--filter", filter);

        Assert.Equal(ExitCodes.Usage, code);
        string error = cli.Error.ToString();
        Assert.Contains($"--filter must be one of up, adaptive, none, sub, average, paeth, not '{filter}'", error);
        Assert.DoesNotContain("VgpuView.", error);
        Assert.DoesNotContain("Parameter", error);
        Assert.DoesNotContain("ENODEV", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Theory]
    [InlineData("paeth", 4)]
    [InlineData("NONE", 0)]
    [InlineData("Sub", 1)]
    public void Capture_FilterByNameInAnyCase_FiltersEveryRowSo(string filter, int filterType)
    {
        string png = Path.Combine(_dir, "x.png");

        Capture("sim:640x480", "-o", png, "--no-cursor", "--filter", filter);

        // The sim's screen is opaque: RGB8, 1 + 640 * 3 bytes a row, each starting with its filter type.
        byte[] rows = InflatedImageData(File.ReadAllBytes(png));
        const int rowBytes = 1 + (640 * 3);
        Assert.Equal(rowBytes * 480, rows.Length);
        for (int y = 0; y < 480; y++)
        {
            Assert.True(rows[y * rowBytes] == filterType, $"row {y} has filter type {rows[y * rowBytes]}, expected {filterType}");
        }
    }

    [Fact]
    public void Capture_TruncatedReplayFile_NamesTheFileAndFails()
    {
        File.WriteAllBytes(Path.Combine(_dir, "short.raw"), new byte[100]);
        string json = Path.Combine(_dir, "short.json");
        File.WriteAllText(json, """{"planes":[{"plane":"primary","file":"short.raw","format":"XR24","width":64,"height":64,"stride":256}]}""");
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:replay=" + json, "-o", Path.Combine(_dir, "x.png"));

        // The replay file is the user's input, as a needle or an --blob is: a usage error.
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("short.raw has 100 bytes, expected at least stride × height = 16384", cli.Error.ToString());
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }

    [Fact]
    public void Capture_DeviceGoneBeforeTheFirstFrame_FailsNamingIt()
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:unplug=0", "-o", Path.Combine(_dir, "x.png"));

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("ENODEV", cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_DmaBufTheCpuCannotMap_SaysSoAndPointsToGpu()
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"));

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("cannot be mapped by the CPU (EACCES", cli.Error.ToString());
        Assert.Contains("read-only dma-bufs: use --gpu, which imports the dma-buf without mapping it", cli.Error.ToString());
        Assert.DoesNotContain("--raw", cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_RawOfADmaBufTheCpuCannotMap_PointsToGpuWithoutRaw()
    {
        var cli = new CliRunner();

        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"), "--raw");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("cannot be mapped by the CPU (EACCES", cli.Error.ToString());
        Assert.Contains("use --gpu, which imports the dma-buf without mapping it, and leave out --raw", cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_GpuRawOfADmaBufTheCpuCannotMap_FailsBeforeWritingAnything()
    {
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "libEGL.so.1 with Mesa (Debian packages libegl1 libegl-mesa0)");
        var cli = new CliRunner();

        // --gpu alone can import the dma-buf (with Mesa 25) and write the PNG; --raw needs its
        // bytes on the CPU, so the capture must fail on that before the PNG is written.
        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"), "--gpu", "--raw");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains("cannot be mapped by the CPU (EACCES", error);
        Assert.Contains("--raw saves the plane's bytes, which needs the CPU to read them even with --gpu: capture with --gpu but without --raw", error);
        Assert.DoesNotContain("use --gpu", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Fact]
    public void Capture_GpuRawOfADmaBufTheCpuCannotMap_Mesa25_FailsBeforeImportingOrWriting()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(typeof(CaptureTests).FullName + "." + nameof(Capture_GpuRawOfADmaBufTheCpuCannotMap_Mesa25_FailsBeforeImportingOrWriting));
            return;
        }

        // Mesa 25 offers dma-buf import, so the GL side would take the plane without a CPU
        // mapping; --raw still needs one, and the capture fails on that before the GL side is asked.
        var cli = new CliRunner();
        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"), "--gpu", "--raw");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("capture with --gpu but without --raw", cli.Error.ToString());
        Assert.DoesNotContain("gl: primary plane", cli.Error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Capture_GpuWithoutImportOfAnUnmappableDmaBuf_ExplainsWhatItTried()
    {
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "libEGL.so.1 with Mesa (Debian packages libegl1 libegl-mesa0)");
        var cli = new CliRunner();

        // In this process EGL is the system's Mesa 22, which offers no dma-buf import.
        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"), "--gpu");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains("GPU capture tried dma-buf import", error);
        Assert.Contains("EGL_EXT_image_dma_buf_import", error);
        Assert.Contains("mmap failed with EACCES", error);
        Assert.DoesNotContain("use --gpu", error);
    }

    [Fact]
    public void Capture_GpuOfAnUnmappableDmaBuf_Mesa25Llvmpipe_FailsNamingTheSoftwareRendererWithoutImporting()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(typeof(CaptureTests).FullName + "." + nameof(Capture_GpuOfAnUnmappableDmaBuf_Mesa25Llvmpipe_FailsNamingTheSoftwareRendererWithoutImporting));
            return;
        }

        // llvmpipe samples an imported dma-buf through a CPU mapping: an import of one the CPU
        // cannot map is accepted, draws without a GL error, and faults the process at readback.
        var cli = new CliRunner();
        int code = cli.Run("capture", "sim:mbochs,cpu-map=off", "-o", Path.Combine(_dir, "x.png"), "--gpu");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string error = cli.Error.ToString();
        Assert.Contains("reads dma-bufs through the CPU, and mmap of this one failed with EACCES", error);
        Assert.Contains("mmap failed with EACCES", error);
        Assert.Contains("A software renderer cannot show a dma-buf the CPU cannot map", error);
        Assert.DoesNotContain("internal error", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    // The concatenated IDAT chunks of a PNG, inflated: the filtered rows (PNG spec, sections 5.3 and 10).
    private static byte[] InflatedImageData(byte[] png)
    {
        using var idat = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8))
            {
                idat.Write(png, at + 8, length);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        using var rows = new MemoryStream();
        zlib.CopyTo(rows);
        return rows.ToArray();
    }

    private static int Capture(params string[] args)
    {
        var cli = new CliRunner();
        int code = cli.Run(["capture", .. args]);
        Assert.True(code == ExitCodes.Success, $"capture {string.Join(' ', args)} exited {code}: {cli.Error}");
        return code;
    }

    private static void AssertSamePixels(byte[] expected, byte[] actual, int width)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                int pixel = i / 4;
                Assert.Fail($"pixel ({pixel % width}, {pixel / width}) channel {i % 4}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }
}
