using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>
/// `expect` against replays, whose pixels the tests write themselves: a 40x30 XR24 plane whose
/// pixel (x, y) is (x * 6, y * 8, 100). Needles are made with ImageMagick from that formula, so
/// neither the capture path nor the project's PNG writer decides what is expected.
/// </summary>
public sealed class ExpectCommandTests : IDisposable
{
    private const int W = 40, H = 30;
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-expect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (byte R, byte G, byte B) Pixel(int x, int y) => ((byte)(x * 6), (byte)(y * 8), 100);

    // The replay: frames of nothing (display disabled) before the picture, as many as asked.
    private string Replay(int disabledFrames = 0)
    {
        byte[] raw = new byte[W * H * 4];
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                (byte r, byte g, byte b) = Pixel(x, y);
                int i = ((y * W) + x) * 4;
                (raw[i], raw[i + 1], raw[i + 2], raw[i + 3]) = (b, g, r, 0); // XR24: B, G, R, X in memory
            }
        }

        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), raw);
        string plane = $$"""[{"plane":"primary","file":"p.raw","format":"XR24","width":{{W}},"height":{{H}},"stride":{{W * 4}}}]""";
        string json = Path.Combine(_dir, "replay.json");
        File.WriteAllText(json, $$"""{"frames":[{{string.Concat(Enumerable.Repeat("[],", disabledFrames))}}{{plane}}]}""");
        return "sim:replay=" + json;
    }

    // A needle of the formula's pixels over (x0, y0, w, h), through ImageMagick's own PNG encoder
    // (a PPM it converts); pixels listed in transparent get alpha 0, those in wrong a changed red.
    private string Needle(int x0, int y0, int w, int h, (int X, int Y)[]? transparent = null, (int X, int Y)[]? wrong = null)
    {
        ImageMagick.Require();
        string pam = Path.Combine(_dir, $"n{Guid.NewGuid():N}.pam");
        using (var f = File.Create(pam))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes($"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"));
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    (byte r, byte g, byte b) = Pixel(x0 + x, y0 + y);
                    if (wrong?.Contains((x, y)) == true)
                    {
                        r ^= 0x40;
                    }

                    f.Write([r, g, b, (byte)(transparent?.Contains((x, y)) == true ? 0 : 255)]);
                }
            }
        }

        string png = Path.ChangeExtension(pam, ".png");
        using var convert = System.Diagnostics.Process.Start("/usr/bin/convert", [pam, png])!;
        convert.WaitForExit();
        Assert.Equal(0, convert.ExitCode);
        return png;
    }

    [Fact]
    public void ThePictureShown_MatchesAtOnce()
    {
        string needle = Needle(0, 0, W, H);
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("expect", Replay(), needle, "--timeout", "5"));

        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(needle)} appeared on sim:replay=.* after \d+\.\d\d s \(0 of 1200 compared pixels differ\)\n$", cli.Output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void APictureAfterADisabledDisplay_IsWaitedFor()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("expect", Replay(disabledFrames: 5), Needle(0, 0, W, H), "--timeout", "10", "--interval", "10"));
    }

    [Fact]
    public void APartOfTheScreen_MatchesAtItsPlace_AndNowhereElse()
    {
        string needle = Needle(7, 11, 13, 5);
        string device = Replay();

        Assert.Equal(ExitCodes.Success, new CliRunner().Run("expect", device, needle, "--at", "7,11", "--timeout", "2"));
        Assert.Equal(ExitCodes.NotMatched, new CliRunner().Run("expect", device, needle, "--at", "8,11", "--timeout", "0.2"));
    }

    [Fact]
    public void ADifferentPicture_TimesOutWith3_NamingTheFirstDifferingPixel_AndSavesTheClosestScreen()
    {
        string needle = Needle(0, 0, W, H, wrong: [(9, 4), (30, 20)]);
        string closest = Path.Combine(_dir, "closest.png");
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", Replay(), needle, "--timeout", "0.3", "--interval", "50", "--save-closest", closest));

        (byte r, byte g, byte b) = Pixel(9, 4);
        string error = cli.Error.ToString();
        Assert.Contains($"{needle} did not appear on sim:replay=", error);
        Assert.Contains(" in 0.3 s: the closest screen differs in 2 of 1200 compared pixels; the first differing pixel is at 9,4: " +
            $"screen #{r:X2}{g:X2}{b:X2}, needle #{r ^ 0x40:X2}{g:X2}{b:X2}", error);
        Assert.Contains($"the closest screen is in {closest}", error);
        byte[] saved = ImageMagick.DecodeRgba(closest);
        Assert.Equal(W * H * 4, saved.Length);
        Assert.Equal(new byte[] { r, g, b, 255 }, saved.AsSpan(((4 * W) + 9) * 4, 4).ToArray());
    }

    [Fact]
    public void DifferencesAllowedByTransparencyAreasOrCount_Match()
    {
        string device = Replay();
        (int, int)[] wrong = [(9, 4), (30, 20)];

        Assert.Equal(ExitCodes.Success, new CliRunner().Run("expect", device, Needle(0, 0, W, H, transparent: wrong, wrong: wrong), "--timeout", "2"));
        Assert.Equal(ExitCodes.Success, new CliRunner().Run("expect", device, Needle(0, 0, W, H, wrong: wrong), "--max-differing", "2", "--timeout", "2"));
        Assert.Equal(ExitCodes.Success, new CliRunner().Run("expect", device, Needle(0, 0, W, H, wrong: wrong), "--area", "0,0,40,4", "--area", "0,5,40,15", "--timeout", "2"));
        Assert.Equal(ExitCodes.NotMatched, new CliRunner().Run("expect", device, Needle(0, 0, W, H, wrong: wrong), "--max-differing", "1", "--timeout", "0.2"));
    }

    [Fact]
    public void ANeedleLargerThanTheScreen_SaysSo()
    {
        string needle = Needle(0, 0, W, H);
        var cli = new CliRunner();

        string device = Replay();

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", device, needle, "--at", "1,0", "--timeout", "0.2"));

        Assert.Equal(
            $"vgpuview: {needle} did not appear on {device} in 0.2 s: the screen is 40x30 and none shown was large enough for the 40x30 needle at 1,0, which needs at least 41x30\n",
            cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ANeedleLargerThanEveryScreen_ThenADisabledDisplay_SaysSoOnce()
    {
        string needle = Needle(0, 0, W, H);
        var cli = new CliRunner();
        string json = Path.Combine(_dir, "off.json");
        Replay();
        // A screen, then the display off for good: replays repeat, so the off frames outnumber
        // by far what a 0.2 s wait at 10 ms can reach.
        File.WriteAllText(json, $$"""{"frames":[[{"plane":"primary","file":"p.raw","format":"XR24","width":{{W}},"height":{{H}},"stride":{{W * 4}}}]{{string.Concat(Enumerable.Repeat(",[]", 10_000))}}]}""");

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", "sim:replay=" + json, needle, "--at", "0,2", "--timeout", "0.2", "--interval", "10"));

        Assert.EndsWith(
            " s: the display is disabled now; no screen was large enough for the 40x30 needle at 0,2, which needs at least 40x32\n",
            cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    // The sim's planes reported as Yf-tiled: the plane query accepts them, the converter does not.
    [Theory]
    [InlineData("primary")]
    [InlineData("cursor")]
    public void APlaneTheConverterRefuses_IsADeviceFailureNamingThePlane(string refused)
    {
        var cli = new CliRunner(new YfPlaneOpener(primary: refused == "primary"));

        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("expect", "sim", Needle(0, 0, 4, 4), "--timeout", "5"));

        string error = cli.Error.ToString().ReplaceLineEndings("\n");
        string plane = refused == "primary" ? "XR24 I915_Yf_TILED 1024x768 stride 4096 " : "AR24 I915_Yf_TILED 64x64 stride 256 ";
        Assert.StartsWith($"vgpuview: sim: {refused} plane {plane}", error);
        Assert.Contains(" cannot be converted: unsupported modifier I915_Yf_TILED", error);
        Assert.DoesNotContain("Parameter", error);
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    // 40x30 = 1200 pixels; 3 of them transparent leaves 1197 compared, and with --area 0,0,10,10
    // (which holds the transparent (1,1)) 99.
    [Theory]
    [InlineData(new string[0], 1197)]
    [InlineData(new[] { "--area", "0,0,10,10" }, 99)]
    public void AMaxDifferingThatAllowsEveryComparedPixel_IsAUsageErrorNamingBothCounts(string[] area, int compared)
    {
        string needle = Needle(0, 0, W, H, transparent: [(1, 1), (20, 20), (39, 29)]);
        string device = Replay();

        foreach (int n in new[] { compared, compared + 1 })
        {
            var cli = new CliRunner();
            Assert.Equal(ExitCodes.Usage, cli.Run(["expect", device, needle, "--timeout", "5", "--max-differing", $"{n}", .. area]));
            Assert.Equal(
                $"vgpuview: --max-differing {n} would let all {compared} compared pixels of {needle} differ, so any screen would match: give less than {compared}\n",
                cli.Error.ToString().ReplaceLineEndings("\n"));
        }

        Assert.Equal(ExitCodes.Success, new CliRunner().Run(["expect", device, needle, "--timeout", "5", "--max-differing", $"{compared - 1}", .. area]));
    }

    public static TheoryData<string, string> UnwritableSavePaths => new()
    {
        { "", "--save-closest must be a path, not an empty" },
        { "{dir}/missing/c.png", "--save-closest: cannot write '{dir}/missing/c.png': the directory {dir}/missing does not exist" },
        { "{dir}", "--save-closest: cannot write '{dir}': it names a directory, not a file" },
        // sysfs refuses new files even to root.
        { "/sys/c.png", "--save-closest: cannot write '/sys/c.png': cannot create a file in /sys: " },
    };

    [Theory]
    [MemberData(nameof(UnwritableSavePaths))]
    public void ASaveClosestPathThatCannotBeWritten_IsAUsageErrorBeforeTheWait(string path, string message)
    {
        path = path.Replace("{dir}", _dir, StringComparison.Ordinal);
        string needle = Needle(0, 0, W, H, wrong: [(1, 1)]);
        var cli = new CliRunner();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(ExitCodes.Usage, cli.Run("expect", Replay(), needle, "--timeout", "20", "--save-closest", path));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: the path was checked after the wait");
        Assert.StartsWith("vgpuview: " + message.Replace("{dir}", _dir, StringComparison.Ordinal), cli.Error.ToString());
        Assert.DoesNotContain("did not appear", cli.Error.ToString());
        Assert.Empty(Directory.GetFiles(_dir, "*.probe"));
    }

    [Fact]
    public void ASaveThatFailsAfterTheWait_IsReported_AndStillExits3()
    {
        string needle = Needle(0, 0, W, H, wrong: [(1, 1)]);
        string device = Replay();
        string gone = Directory.CreateTempSubdirectory("vgpuview-expect-gone-").FullName;
        string path = Path.Combine(gone, "c.png");
        // The directory goes away once the options are checked: the device is opened after them.
        var cli = new CliRunner(new RemovingOpener(gone));

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", device, needle, "--timeout", "0.2", "--save-closest", path));

        string error = cli.Error.ToString().ReplaceLineEndings("\n");
        Assert.Contains($"{needle} did not appear on {device} in 0.2 s: the closest screen differs in 1 of 1200", error);
        Assert.Contains($"\nvgpuview: the closest screen was not saved: cannot write '{path}': ", error);
        Assert.DoesNotContain("the closest screen is in", error);
    }

    [Fact]
    public void WhenNoScreenWasShown_NothingIsSaved_AndItSaysSo()
    {
        string json = Path.Combine(_dir, "dark.json");
        File.WriteAllText(json, """{"frames":[[]]}""");
        string path = Path.Combine(_dir, "c.png");
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", "sim:replay=" + json, Needle(0, 0, 4, 4), "--timeout", "0.2", "--save-closest", path));

        Assert.EndsWith($": the guest never enabled its display\nvgpuview: nothing was saved to {path}: no screen was shown\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["--at", "1"], "--at must be X,Y, as in 100,40, not '1'" },
        { ["--area", "0,0,5"], "--area must be X,Y,WIDTH,HEIGHT, as in 0,0,200,50, not '0,0,5'" },
        { ["--area", "30,0,20,5"], "area 30,0,20,5 does not lie inside the 40x30 needle" },
        { ["--tolerance", "300"], "--tolerance" },
        { ["--timeout", "-1"], "--timeout must be between 0 and 86400 seconds, not -1" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void BadOptions_AreUsageErrors(string[] args, string message)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run(["expect", Replay(), Needle(0, 0, W, H), .. args]));

        Assert.Contains(message, cli.Error.ToString());
    }

    [Fact]
    public void ANeedleThatIsNotAPng_OrMissing_OrAllTransparent_IsAUsageError()
    {
        string notPng = Path.Combine(_dir, "not.png");
        File.WriteAllText(notPng, "hello");
        string clear = Needle(0, 0, 4, 4, transparent: [.. from y in Enumerable.Range(0, 4) from x in Enumerable.Range(0, 4) select (x, y)]);
        string device = Replay();

        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("expect", device, notPng));
        Assert.StartsWith($"vgpuview: {notPng}: ", cli.Error.ToString());

        cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("expect", device, Path.Combine(_dir, "missing.png")));
        Assert.Contains("missing.png", cli.Error.ToString());

        cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("expect", device, clear));
        Assert.Contains("no pixel is compared", cli.Error.ToString());
    }

    /// <summary>Removes a directory when the device is opened, then opens the plain sim spec given.</summary>
    private sealed class RemovingOpener(string directory) : IDeviceOpener
    {
        private readonly IDeviceOpener _inner = DeviceOpener.FromEnvironment();

        public SysfsTree Sysfs => _inner.Sysfs;

        public VgpuDevice Open(string spec)
        {
            Directory.Delete(directory, recursive: true);
            return _inner.Open(spec);
        }
    }
}
