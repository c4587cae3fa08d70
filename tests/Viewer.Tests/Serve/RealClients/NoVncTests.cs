// Debian's noVNC in headless Chromium against `vgpuview serve --web`: the canvas equals `capture`
// of the replayed frame pixel for pixel with Raw, Hextile and Tight, the cursor arrives as the
// Cursor pseudo-encoding with the replay's hotspot, and a mode change as a new desktop size.
using System.Text.RegularExpressions;
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

public sealed class NoVncTests(ReplayScenes scenes, ChromiumFixture chromium) : IClassFixture<ReplayScenes>, IClassFixture<ChromiumFixture>
{
    private const string NoVncDir = "/usr/share/novnc";
    private static readonly TimeSpan s_pictureTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// noVNC 1.3 declares CopyRect, Tight, TightPNG, Hextile, RRE and Raw (and no ZRLE); with the
    /// server limited to one of Raw, Hextile and Tight it decodes that one into its canvas, which
    /// holds the guest's primary plane only: the cursor is its own, from the Cursor
    /// pseudo-encoding, drawn by the browser as a CSS cursor with the replay's hotspot.
    /// </summary>
    [Theory]
    [InlineData("raw")]
    [InlineData("hextile")]
    [InlineData("tight")]
    public async Task NoVnc_EachEncoding_CanvasEqualsCaptureAndCursorHasTheHotspot(string encoding)
    {
        Require();
        RgbaImage expected = scenes.Expected(scenes.SceneAPrimaryOnly);
        using var serve = ServeProcess.Start("sim:replay=" + scenes.SceneA, ["--web", "127.0.0.1:0", "--encodings", encoding]);
        NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, NoVncPage.Url(serve.Web!, "websockify"));

        await page.WaitForPictureAsync(expected, s_pictureTimeout, $"noVNC with --encodings {encoding}", serve);

        Assert.Matches(EncodingLine(encoding), serve.Errors);
        await AssertCursorAsync(page, ReplayScenes.HotX, ReplayScenes.HotY);
        serve.StopAndCheckExit();
    }

    /// <summary>
    /// The replay plays scene A (1024x768) then scene B (640x480), about a second each, over and
    /// over: noVNC's canvas takes each size (DesktopSize / ExtendedDesktopSize) and then shows
    /// that mode's picture exactly, and the cursor's hotspot follows the scene's.
    /// </summary>
    [Fact]
    public async Task NoVnc_ModeChange_ArrivesAsANewDesktopSize()
    {
        Require();
        RgbaImage a = scenes.Expected(scenes.SceneAPrimaryOnly), b = scenes.Expected(scenes.SceneBPrimaryOnly);
        // 40 frames per mode at one frame per 25 ms: each mode lasts a second.
        using var serve = ServeProcess.Start("sim:replay=" + scenes.ModeChange, ["--web", "127.0.0.1:0", "--interval", "25"]);
        NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, NoVncPage.Url(serve.Web!, "websockify"));

        await page.WaitForPictureAsync(a, s_pictureTimeout, "noVNC in mode A", serve);
        await page.WaitForPictureAsync(b, s_pictureTimeout, "noVNC after the change to mode B", serve);
        await WaitForCursorHotspotAsync(page, ReplayScenes.HotXB, ReplayScenes.HotYB);
        await page.WaitForPictureAsync(a, s_pictureTimeout, "noVNC after the change back to mode A", serve);
        serve.StopAndCheckExit();
    }

    private static void Require()
    {
        HeadlessChromium.Require();
        Requires.That(File.Exists(Path.Combine(NoVncDir, "vnc.html")), NoVncDir + "/vnc.html (Debian package novnc)");
        ImageMagick.Require();
    }

    /// <summary>
    /// The cursor noVNC set: the replay's hotspot, and the cursor plane's pixels where they are
    /// opaque or transparent (the Cursor pseudo-encoding carries a one-bit mask, so a
    /// half-transparent pixel may go either way and is not compared).
    /// </summary>
    private async Task AssertCursorAsync(NoVncPage page, int hotX, int hotY)
    {
        (byte[] Png, int HotX, int HotY) cursor = await WaitForCursorHotspotAsync(page, hotX, hotY);
        string png = Path.Combine(scenes.Dir, $"novnc-cursor-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(png, cursor.Png);
        RgbaImage image = ReplayScenes.Decode(png);
        Assert.Equal((64, 64), (image.Width, image.Height));

        byte[] plane = scenes.CursorArgb; // AR24: B, G, R, A; 64x64, stride 256
        int opaque = 0;
        for (int i = 0; i < 64 * 64; i++)
        {
            byte alpha = plane[i * 4 + 3];
            ReadOnlySpan<byte> shown = image.Pixels.AsSpan(i * 4, 4);
            if (alpha == 255)
            {
                opaque++;
                Assert.True(shown[0] == plane[i * 4 + 2] && shown[1] == plane[i * 4 + 1] && shown[2] == plane[i * 4] && shown[3] == 255,
                    $"cursor pixel ({i % 64},{i / 64}): rgba({shown[0]},{shown[1]},{shown[2]},{shown[3]}), expected the plane's opaque rgb({plane[i * 4 + 2]},{plane[i * 4 + 1]},{plane[i * 4]})");
            }
            else if (alpha == 0)
            {
                Assert.True(shown[3] == 0, $"cursor pixel ({i % 64},{i / 64}) is transparent in the plane, noVNC shows alpha {shown[3]}");
            }
        }

        Assert.True(opaque > 100, "the replay's cursor should have opaque pixels to compare");
    }

    private static async Task<(byte[] Png, int HotX, int HotY)> WaitForCursorHotspotAsync(NoVncPage page, int hotX, int hotY)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (byte[] Png, int HotX, int HotY)? cursor = null;
        while (clock.Elapsed < s_pictureTimeout)
        {
            cursor = await page.CursorAsync();
            if (cursor is not null && cursor.Value.HotX == hotX && cursor.Value.HotY == hotY)
            {
                return cursor.Value;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"noVNC's cursor hotspot is {(cursor is null ? "unset" : $"({cursor.Value.HotX},{cursor.Value.HotY})")}, expected ({hotX},{hotY}); {await page.DescribeAsync()}");
        return default;
    }

    private static Regex EncodingLine(string encoding) => new(": encoding " + encoding + @" \(");
}
