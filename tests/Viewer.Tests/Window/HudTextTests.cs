using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>
/// The HUD's text for a replayed frame: a 256x192 XR24 primary of stride 1088 and a 32x32 AR24
/// cursor at (10, 12) with its hotspot at (3, 4). The figures expected come from the replay file
/// written here and the counters and switches passed in.
/// </summary>
public sealed class HudTextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-hud-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Build_NamesFormatSizeBufferCacheRateScaleAndCursor()
    {
        using VgpuDevice device = OpenReplay();
        using var source = new FrameSource(device);
        var frame = new Frame();
        source.Next(frame);
        var controls = new ViewControls(ScaleMode.OneToOne, 3, showHud: true, showCursor: true);

        string hud = new HudText().Build(frame, "upload", new CacheCounters(Hits: 7, Misses: 2, Failures: 0, Evictions: 1, OpenFds: 2), 59.46, 42, controls).ToString();

        string buffer = frame.Primary.Info.Kind == PlaneBufferKind.DmaBuf ? "dmabuf id " : "region ";
        Assert.Equal(
            "format XR24  modifier LINEAR\n" +
            "size 256x192  stride 1088\n" +
            $"{buffer}{frame.Primary.Info.Id}  upload\n" +
            "cache hits 7 misses 2 evictions 1 fds 2\n" +
            "fps 59.5  frame 42  scale 1:1 x3\n" +
            "cursor 10,12 hotspot 3,4",
            hud);
    }

    [Fact]
    public void Build_SaysWhenTheCursorIsSwitchedOffAndNamesTheScaleWithoutZoomOutsideOneToOne()
    {
        using VgpuDevice device = OpenReplay();
        using var source = new FrameSource(device);
        var frame = new Frame();
        source.Next(frame);
        var controls = new ViewControls(ScaleMode.Fill, 3, showHud: true, showCursor: false);

        string[] lines = new HudText().Build(frame, "dma-buf import", default, 0, 1, controls).ToString().Split('\n');

        Assert.EndsWith("  dma-buf import", lines[2]);
        Assert.Equal("fps 0.0  frame 1  scale fill", lines[4]);
        Assert.Equal("cursor off", lines[5]);
    }

    [Fact]
    public void Build_SaysACursorTheChecksRefusedIsNotDrawn_ThoughItsLastGoodBufferIsHeld()
    {
        using VgpuDevice device = OpenReplay();
        using var source = new FrameSource(device);
        var frame = new Frame();
        source.Next(frame);
        Assert.True(frame.Cursor.IsShown);
        frame.Cursor.Status = PlaneStatus.Invalid; // as the frame source marks an answer the checks refuse
        var controls = new ViewControls(ScaleMode.Fit, 1, showHud: true, showCursor: true);

        string[] lines = new HudText().Build(frame, "upload", default, 0, 1, controls).ToString().Split('\n');

        Assert.Equal("cursor refused", lines[^1]);
    }

    [Fact]
    public void Build_WithoutAPrimaryPlane_SaysItIsDisabled()
    {
        var frame = new Frame();
        var controls = new ViewControls(ScaleMode.Fit, 1, showHud: true, showCursor: true);

        string hud = new HudText().Build(frame, "upload", default, 0, 0, controls).ToString();

        Assert.Equal(
            "primary plane: disabled\n" +
            "cache hits 0 misses 0 evictions 0 fds 0\n" +
            "fps 0.0  frame 0  scale fit\n" +
            "cursor none",
            hud);
    }

    private VgpuDevice OpenReplay()
    {
        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), new byte[1088 * 192]);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), new byte[32 * 32 * 4]);
        string json = Path.Combine(_dir, "hud.json");
        File.WriteAllText(json, """
            {"planes":[{"plane":"primary","file":"p.raw","format":"XR24","width":256,"height":192,"stride":1088},
                       {"plane":"cursor","file":"c.raw","format":"AR24","width":32,"height":32,"stride":128,"x":10,"y":12,"hot_x":3,"hot_y":4}]}
            """);
        return DeviceOpener.FromEnvironment().Open("sim:replay=" + json);
    }
}
