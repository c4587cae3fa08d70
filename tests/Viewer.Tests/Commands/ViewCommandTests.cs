using System.Diagnostics;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>
/// `vgpuview view` end to end: the program runs as a child process (`dotnet vgpuview.dll view`)
/// on a private Xvfb, and the tests look at the X screen with ImageMagick's import and press keys
/// with xdotool. Expected pixels are computed here from the bytes written to the replay files.
/// The window's EGL display on Xvfb offers no dma-buf import, so these run the upload path.
/// </summary>
public sealed class ViewCommandTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-view-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("egl")]
    [InlineData("glx")]
    public void View_OneToOne_ShowsTheReplayedPixelsWithTheCursorWhereTheReplayPutsIt(string context)
    {
        using XSession x = XSession.Start();
        (string json, byte[] expected, int w, int h) = WriteReplayWithCursor();

        using var view = new ViewProcess(x, "sim:replay=" + json, "--scale", "1:1", "--context", context);
        string window = x.WaitForWindow(view, s_timeout);

        byte[] screen = WaitForScreen(x, s => SameRegion(s, expected, 0, 0, w, h));
        AssertRegion(screen, expected, 0, 0, w, h);
        Assert.Equal($"vgpuview \u2014 sim:replay={json} \u2014 {w}x{h} XR24", x.WindowName(window));
    }

    [Fact]
    public void View_GlxContext_SaysItIsGlxAndWhyPlanesAreUploaded()
    {
        using XSession x = XSession.Start();
        using var view = new ViewProcess(x, "sim:320x240", "--context", "glx", "--frames", "3");

        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));
        string errors = view.Errors;
        Assert.Contains("info: view: GLX window context (no EGL display); GL ", errors);
        Assert.Contains("info: gl: primary plane XR24 320x240: upload (the window's context is GLX's, and dma-buf import needs an EGL display)", errors);
        Assert.DoesNotContain("import switched off", errors);
        Assert.DoesNotContain("(, ", errors);
    }

    [Fact]
    public void View_PlusKey_ZoomsOneToOneTwiceWithNearestFiltering()
    {
        using XSession x = XSession.Start();
        (string json, byte[] image, int w, int h) = WriteReplayWithCursor();

        using var view = new ViewProcess(x, "sim:replay=" + json, "--scale", "1:1", "--size", $"{w * 2}x{h * 2}");
        string window = x.WaitForWindow(view, s_timeout);

        // At zoom 1 the image sits centred in the twice-as-large window.
        byte[] once = new byte[w * 2 * h * 2 * 4];
        for (int y = 0; y < h * 2; y++)
        {
            for (int col = 0; col < w * 2; col++)
            {
                bool inside = col >= w / 2 && col < w / 2 * 3 && y >= h / 2 && y < h / 2 * 3;
                ReadOnlySpan<byte> px = inside ? image.AsSpan((((y - (h / 2)) * w) + col - (w / 2)) * 4, 4) : [0, 0, 0, 255];
                px.CopyTo(once.AsSpan(((y * w * 2) + col) * 4));
            }
        }

        AssertRegion(WaitForScreen(x, s => SameRegion(s, once, 0, 0, w * 2, h * 2)), once, 0, 0, w * 2, h * 2);

        x.Key(window, "plus");

        // At zoom 2 every guest pixel is a 2x2 block of exactly its colour: nearest, no blending.
        byte[] twice = new byte[w * 2 * h * 2 * 4];
        for (int y = 0; y < h * 2; y++)
        {
            for (int col = 0; col < w * 2; col++)
            {
                image.AsSpan((((y / 2) * w) + (col / 2)) * 4, 4).CopyTo(twice.AsSpan(((y * w * 2) + col) * 4));
            }
        }

        AssertRegion(WaitForScreen(x, s => SameRegion(s, twice, 0, 0, w * 2, h * 2)), twice, 0, 0, w * 2, h * 2);
    }

    [Fact]
    public void View_KeyC_HidesAndShowsTheCursor()
    {
        using XSession x = XSession.Start();
        (string json, byte[] withCursor, int w, int h) = WriteReplayWithCursor(out byte[] withoutCursor);

        using var view = new ViewProcess(x, "sim:replay=" + json, "--scale", "1:1");
        string window = x.WaitForWindow(view, s_timeout);
        AssertRegion(WaitForScreen(x, s => SameRegion(s, withCursor, 0, 0, w, h)), withCursor, 0, 0, w, h);

        x.Key(window, "c");
        AssertRegion(WaitForScreen(x, s => SameRegion(s, withoutCursor, 0, 0, w, h)), withoutCursor, 0, 0, w, h);

        x.Key(window, "c");
        AssertRegion(WaitForScreen(x, s => SameRegion(s, withCursor, 0, 0, w, h)), withCursor, 0, 0, w, h);
    }

    [Fact]
    public void View_Fit_LetterboxesA4x3FrameIn16x9WindowWithBarsOfTheComputedSize()
    {
        using XSession x = XSession.Start();

        // 640x480 in 1280x720: the height limits, scale 720/480 = 1.5, image 960x720, and
        // (1280 - 960) / 2 = 160 columns of black on each side.
        const int w = 640, h = 480, winW = 1280, winH = 720, bar = 160;
        string json = WriteSolidReplay(w, h, r: 200, g: 100, b: 50);

        using var view = new ViewProcess(x, "sim:replay=" + json, "--scale", "fit", "--size", $"{winW}x{winH}");
        x.WaitForWindow(view, s_timeout);

        var expected = new byte[winW * winH * 4];
        for (int y = 0; y < winH; y++)
        {
            for (int col = 0; col < winW; col++)
            {
                bool image = col >= bar && col < winW - bar;
                ((ReadOnlySpan<byte>)(image ? [200, 100, 50, 255] : [0, 0, 0, 255])).CopyTo(expected.AsSpan(((y * winW) + col) * 4));
            }
        }

        byte[] screen = WaitForScreen(x, s => SameRegion(s, expected, 0, 0, winW, winH));
        AssertRegion(screen, expected, 0, 0, winW, winH);
    }

    [Fact]
    public void View_Fit_AfterAResizeLetterboxesForTheNewSize()
    {
        using XSession x = XSession.Start();
        const int w = 640, h = 480;
        string json = WriteSolidReplay(w, h, r: 10, g: 220, b: 90);

        using var view = new ViewProcess(x, "sim:replay=" + json, "--size", "1280x720");
        string window = x.WaitForWindow(view, s_timeout);
        x.Run("/usr/bin/xdotool", "windowsize", window, "800", "800");

        // 640x480 in 800x800: the width limits, 1.25x, 800x600, (800 - 600) / 2 = 100 rows of black above and below.
        byte[] expected = Letterbox(800, 800, left: 0, top: 100, width: 800, height: 600, [10, 220, 90, 255]);
        byte[] screen = WaitForScreen(x, s => SameRegion(s, expected, 0, 0, 800, 800));
        AssertRegion(screen, expected, 0, 0, 800, 800);
    }

    [Fact]
    public void View_KeyM_SwitchesFromFitToFill()
    {
        using XSession x = XSession.Start();
        string json = WriteSolidReplay(640, 480, r: 120, g: 30, b: 240);

        using var view = new ViewProcess(x, "sim:replay=" + json, "--size", "1280x720");
        string window = x.WaitForWindow(view, s_timeout);
        byte[] fit = Letterbox(1280, 720, left: 160, top: 0, width: 960, height: 720, [120, 30, 240, 255]);
        AssertRegion(WaitForScreen(x, s => SameRegion(s, fit, 0, 0, 1280, 720)), fit, 0, 0, 1280, 720);

        x.Key(window, "m");

        byte[] fill = Letterbox(1280, 720, left: 0, top: 0, width: 1280, height: 720, [120, 30, 240, 255]);
        AssertRegion(WaitForScreen(x, s => SameRegion(s, fill, 0, 0, 1280, 720)), fill, 0, 0, 1280, 720);
    }

    [Fact]
    public void View_KeyF_GoesFullscreenAndFitsTheWholeScreen()
    {
        using XSession x = XSession.Start();
        string json = WriteSolidReplay(640, 480, r: 255, g: 200, b: 0);

        using var view = new ViewProcess(x, "sim:replay=" + json, "--size", "640x480");
        string window = x.WaitForWindow(view, s_timeout);
        x.Key(window, "f");

        // 640x480 on the 1280x800 screen: the height limits, 800/480, 1066.67 rounds to 1067
        // wide, (1280 - 1067) / 2 = 106 columns of black on the left and 107 on the right.
        byte[] expected = Letterbox(XSession.ScreenWidth, XSession.ScreenHeight, left: 106, top: 0, width: 1067, height: 800, [255, 200, 0, 255]);
        byte[] screen = WaitForScreen(x, s => SameRegion(s, expected, 0, 0, XSession.ScreenWidth, XSession.ScreenHeight));
        AssertRegion(screen, expected, 0, 0, XSession.ScreenWidth, XSession.ScreenHeight);
    }

    [Fact]
    public void View_GuestModeLargerThanTheScreen_OpensAWindowThatFits()
    {
        using XSession x = XSession.Start();
        using var view = new ViewProcess(x, "sim:1920x1080");
        string window = x.WaitForWindow(view, s_timeout);

        // 1920x1080 on 1280x800: scale 2/3, 1280x720.
        string geometry = x.Run("/usr/bin/xdotool", "getwindowgeometry", window);
        Assert.Contains("Geometry: 1280x720", geometry);
    }

    [Fact]
    public void View_DisabledPlane_SaysSoInTheMiddleOnBlack()
    {
        using XSession x = XSession.Start();
        string json = Path.Combine(_dir, "off.json");
        File.WriteAllText(json, """{"frames":[[]]}""");

        using var view = new ViewProcess(x, "sim:replay=" + json, "--size", "800x600");
        string window = x.WaitForWindow(view, s_timeout);

        // The message at twice the font's size, centred: 37 characters of 16 pixels = 592 wide,
        // one line of 8 glyph rows = 16 high, so its top left is at ((800 - 592) / 2, (600 - 16) / 2)
        // = (104, 292). White where the font lights a pixel, black everywhere else in the window.
        const string message = "The guest has not enabled its display";
        var font = VgpuView.Viewer.Text.BitmapFont.Load();
        var expected = new byte[800 * 600 * 4];
        for (int y = 0; y < 600; y++)
        {
            for (int col = 0; col < 800; col++)
            {
                int gx = (col - 104) / 2, gy = (y - 292) / 2;
                bool lit = col >= 104 && y >= 292 && gy < 8 && gx < message.Length * 8 && font.IsLit(message[gx / 8], gx % 8, gy);
                ((ReadOnlySpan<byte>)(lit ? [255, 255, 255, 255] : [0, 0, 0, 255])).CopyTo(expected.AsSpan(((y * 800) + col) * 4));
            }
        }

        byte[] screen = WaitForScreen(x, s => SameRegion(s, expected, 0, 0, 800, 600));
        AssertRegion(screen, expected, 0, 0, 800, 600);
        Assert.EndsWith("display off", x.WindowName(window));
    }

    [Fact]
    public void View_DeviceGone_SaysSoOverTheLastFrameDimmedAndExits1()
    {
        using XSession x = XSession.Start();

        // The built-in guest's 1024x768 test pattern fits 640x480 exactly (0.625x); its first
        // colour bar is white and spans the left eighth of the top two thirds.
        using var view = new ViewProcess(x, "sim:unplug=30", "--size", "640x480");
        string window = x.WaitForWindow(view, s_timeout);

        byte[] screen = WaitForScreen(x, s => CountLit(s, 0, 200, 640, 80) > 200 && IsDimGrey(s, 40, 100));
        Assert.True(CountLit(screen, 0, 200, 640, 80) > 200, "no message in the middle of the window");
        int i = ((100 * XSession.ScreenWidth) + 40) * 4;
        Assert.True(IsDimGrey(screen, 40, 100), $"the white bar behind the message should be dimmed, it is {Hex(screen.AsSpan(i, 4))}");
        Assert.EndsWith("device gone", x.WindowName(window));

        x.QuitKey(window, "q");
        Assert.Equal(ExitCodes.DeviceFailure, view.WaitForExit(s_timeout));
        Assert.Contains("vgpuview: ", view.Errors);
    }

    [Fact]
    public void View_KeyH_ShowsTheHudAndEscQuits()
    {
        using XSession x = XSession.Start();
        string json = Path.Combine(_dir, "off.json");
        File.WriteAllText(json, """{"frames":[[]]}""");

        using var view = new ViewProcess(x, "sim:replay=" + json, "--size", "800x600");
        string window = x.WaitForWindow(view, s_timeout);
        Assert.Equal(0, CountLit(WaitForScreen(x, s => CountLit(s, 0, 280, 800, 40) > 200), 0, 0, 400, 60));

        x.Key(window, "h");
        byte[] screen = WaitForScreen(x, s => CountLit(s, 0, 0, 400, 60) > 100);
        Assert.True(CountLit(screen, 0, 0, 400, 60) > 100, "no HUD text in the top left after H");

        x.QuitKey(window, "Escape");
        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));
    }

    [Theory]
    [InlineData("F12")]
    [InlineData("s")]
    public void View_F12OrS_WritesAPngEqualToCaptureOfTheSameFrame(string key)
    {
        using XSession x = XSession.Start();
        (string json, _, int w, int h) = WriteReplayWithCursor();
        string shots = Path.Combine(_dir, "shots");

        using var view = new ViewProcess(x, "sim:replay=" + json, "--screenshot-dir", shots);
        string window = x.WaitForWindow(view, s_timeout);
        x.Key(window, key);
        string saved = view.WaitForOutput(l => l.EndsWith(".png", StringComparison.Ordinal), s_timeout);
        x.QuitKey(window, "q");
        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));

        string captured = Path.Combine(_dir, "capture.png");
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Success, cli.Run("capture", "sim:replay=" + json, "-o", captured));
        Assert.StartsWith(shots, saved);
        Assert.Equal($"{w}x{h}", ImageMagick.Property(saved, "%wx%h"));
        Assert.Equal(ImageMagick.DecodeRgba(captured), ImageMagick.DecodeRgba(saved));
    }

    [Fact]
    public void View_CtrlC_ClosesTheWindowAndExits130()
    {
        using XSession x = XSession.Start();
        using var view = new ViewProcess(x, "sim");
        x.WaitForWindow(view, s_timeout);

        x.Run("/bin/kill", "-INT", view.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Interrupted, view.WaitForExit(s_timeout));
        Assert.Equal(string.Empty, x.Run("/bin/sh", "-c", "xdotool search --name '^vgpuview' || true").Trim());
    }

    [Fact]
    public void View_FpsCap_PacesTheFrames()
    {
        using XSession x = XSession.Start();
        var clock = Stopwatch.StartNew();
        using var view = new ViewProcess(x, "sim", "--fps", "10", "--frames", "25");

        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));

        // 25 frames at 10 per second: 24 waits of 100 ms after the first frame.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.3), $"25 frames at --fps 10 took only {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void View_WithoutFps_IsPacedByVsyncAloneNotCappedAt60()
    {
        using XSession x = XSession.Start();
        var clock = Stopwatch.StartNew();

        // Xvfb has no refresh to wait for, so vsync does not hold the swaps back: 600 frames
        // take well under the 599 waits of 1/60 s (9.98 s, plus the start) that a cap at 60
        // would add. Uncapped they take about 3 s; a machine busy enough to bring the software
        // renderer down to 67 frames a second still passes.
        using var view = new ViewProcess(x, "sim:320x240", "--frames", "600");

        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9.8), $"600 frames without --fps took {clock.Elapsed.TotalSeconds:F2} s: capped");
    }

    [Fact]
    public void View_NoVsyncWithoutFps_IsCappedAtTheRefreshRate()
    {
        using XSession x = XSession.Start();
        var clock = Stopwatch.StartNew();

        // Xvfb's screen reports 60 Hz or none, which counts as 60: 149 waits of 1/60 s after the first frame.
        using var view = new ViewProcess(x, "sim:320x240", "--frames", "150", "--no-vsync");

        Assert.Equal(ExitCodes.Success, view.WaitForExit(s_timeout));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.4), $"150 frames with --no-vsync took only {clock.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public async Task View_WithoutAnXServer_SaysWhatIsMissingAndExits1()
    {
        XSession.RequireTools();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "vgpuview.dll"), "view", "sim"])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("DISPLAY");
        start.Environment.Remove("WAYLAND_DISPLAY");
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stderr = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.DeviceFailure, p.ExitCode);
        Assert.Contains("vgpuview: glfwInit failed", stderr);
        Assert.Contains("neither DISPLAY nor WAYLAND_DISPLAY is set", stderr);
        Assert.Equal(string.Empty, await stdout);
    }

    [Fact]
    public void View_BadScale_IsAUsageError()
    {
        var cli = new CliRunner();
        Assert.Equal(ExitCodes.Usage, cli.Run("view", "sim", "--scale", "2:1"));
        Assert.Contains("--scale must be fit, fill or 1:1", cli.Error.ToString());
    }

    /// <summary>
    /// A 200x150 XR24 primary whose every pixel differs from its neighbours, and a 32x32 AR24
    /// cursor at (50, 40) that is a checkerboard of opaque and fully transparent 4x4 squares, so
    /// its blend is exact: the cursor's colour where opaque, the primary's where transparent.
    /// </summary>
    private (string Json, byte[] Expected, int Width, int Height) WriteReplayWithCursor() => WriteReplayWithCursor(out _);

    private (string Json, byte[] Expected, int Width, int Height) WriteReplayWithCursor(out byte[] primaryOnly)
    {
        const int w = 200, h = 150, stride = (w * 4) + 32, cw = 32, cx = 50, cy = 40;
        byte[] primary = new byte[stride * h];
        byte[] expected = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            for (int col = 0; col < w; col++)
            {
                byte r = (byte)(col * 3), g = (byte)(y * 5), b = (byte)((col * y) + 1);
                ((ReadOnlySpan<byte>)[b, g, r, 0x33]).CopyTo(primary.AsSpan((y * stride) + (col * 4))); // XR24 bytes: B, G, R, X
                ((ReadOnlySpan<byte>)[r, g, b, 255]).CopyTo(expected.AsSpan(((y * w) + col) * 4));
            }
        }

        primaryOnly = (byte[])expected.Clone();
        byte[] cursor = new byte[cw * cw * 4];
        for (int y = 0; y < cw; y++)
        {
            for (int col = 0; col < cw; col++)
            {
                bool opaque = ((col / 4) + (y / 4)) % 2 == 0;
                byte r = 250, g = (byte)(col * 8), b = (byte)(y * 8);
                ((ReadOnlySpan<byte>)[b, g, r, (byte)(opaque ? 255 : 0)]).CopyTo(cursor.AsSpan(((y * cw) + col) * 4)); // AR24 bytes: B, G, R, A
                if (opaque)
                {
                    ((ReadOnlySpan<byte>)[r, g, b, 255]).CopyTo(expected.AsSpan((((cy + y) * w) + cx + col) * 4));
                }
            }
        }

        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), primary);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), cursor);
        string json = Path.Combine(_dir, "frame.json");
        File.WriteAllText(json, $$"""
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"XR24","width":{{w}},"height":{{h}},"stride":{{stride}}},
              {"plane":"cursor","file":"c.raw","format":"AR24","width":{{cw}},"height":{{cw}},"stride":{{cw * 4}},"x":{{cx}},"y":{{cy}},"hot_x":0,"hot_y":0}
            ]}
            """);
        return (json, expected, w, h);
    }

    private string WriteSolidReplay(int w, int h, byte r, byte g, byte b)
    {
        byte[] primary = new byte[w * h * 4];
        for (int i = 0; i < primary.Length; i += 4)
        {
            ((ReadOnlySpan<byte>)[b, g, r, 0]).CopyTo(primary.AsSpan(i));
        }

        File.WriteAllBytes(Path.Combine(_dir, "solid.raw"), primary);
        string json = Path.Combine(_dir, "solid.json");
        File.WriteAllText(json, $$"""{"planes":[{"plane":"primary","file":"solid.raw","format":"XR24","width":{{w}},"height":{{h}},"stride":{{w * 4}}}]}""");
        return json;
    }

    /// <summary>A window of black with a rectangle of one colour.</summary>
    private static byte[] Letterbox(int winW, int winH, int left, int top, int width, int height, byte[] rgba)
    {
        var image = new byte[winW * winH * 4];
        for (int y = 0; y < winH; y++)
        {
            for (int col = 0; col < winW; col++)
            {
                bool inside = col >= left && col < left + width && y >= top && y < top + height;
                ((ReadOnlySpan<byte>)(inside ? rgba : [0, 0, 0, 255])).CopyTo(image.AsSpan(((y * winW) + col) * 4));
            }
        }

        return image;
    }

    /// <summary>Screenshots until <paramref name="done"/> holds or 20 s pass (the window needs a few frames to appear); the last screenshot.</summary>
    private static byte[] WaitForScreen(XSession x, Func<byte[], bool> done)
    {
        var clock = Stopwatch.StartNew();
        byte[] screen;
        do
        {
            screen = x.Screenshot();
            if (done(screen))
            {
                break;
            }

            Thread.Sleep(200);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(20));

        return screen;
    }

    private static bool SameRegion(byte[] screen, byte[] expected, int x0, int y0, int w, int h)
    {
        for (int y = 0; y < h; y++)
        {
            if (!screen.AsSpan((((y0 + y) * XSession.ScreenWidth) + x0) * 4, w * 4).SequenceEqual(expected.AsSpan(y * w * 4, w * 4)))
            {
                return false;
            }
        }

        return true;
    }

    private static void AssertRegion(byte[] screen, byte[] expected, int x0, int y0, int w, int h)
    {
        for (int y = 0; y < h; y++)
        {
            for (int col = 0; col < w; col++)
            {
                ReadOnlySpan<byte> got = screen.AsSpan((((y0 + y) * XSession.ScreenWidth) + x0 + col) * 4, 4);
                ReadOnlySpan<byte> want = expected.AsSpan(((y * w) + col) * 4, 4);
                if (!got.SequenceEqual(want))
                {
                    Assert.Fail($"pixel ({col}, {y}) of the window is {Hex(got)}, expected {Hex(want)}");
                }
            }
        }
    }

    private static int CountLit(byte[] screen, int x0, int y0, int w, int h)
    {
        int lit = 0;
        for (int y = y0; y < y0 + h; y++)
        {
            for (int col = x0; col < x0 + w; col++)
            {
                int i = ((y * XSession.ScreenWidth) + col) * 4;
                if (screen[i] != 0 || screen[i + 1] != 0 || screen[i + 2] != 0)
                {
                    lit++;
                }
            }
        }

        return lit;
    }

    // White under a 65% black veil: 255 * 0.35 = 89, give or take the blend's rounding.
    private static bool IsDimGrey(byte[] screen, int x, int y)
    {
        int i = ((y * XSession.ScreenWidth) + x) * 4;
        return screen[i] is >= 80 and <= 100 && screen[i + 1] == screen[i] && screen[i + 2] == screen[i];
    }

    private static string Hex(ReadOnlySpan<byte> rgba) => Convert.ToHexString(rgba);
}
