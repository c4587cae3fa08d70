using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>How many frames per second the window's loop draws at most, from --fps, --no-vsync and the display's refresh rate.</summary>
public sealed class FrameCapTests
{
    [Theory]
    // No --fps, vsync on: vsync paces at the refresh rate, whatever it is; no cap of the loop's own.
    [InlineData(null, false, 144, 0)]
    [InlineData(null, false, 0, 0)]
    // No --fps, --no-vsync: capped at the refresh rate, 60 where it is unknown.
    [InlineData(null, true, 144, 144)]
    [InlineData(null, true, 0, 60)]
    // --fps N caps at N either way; --fps 0 leaves the pace to vsync (or none with --no-vsync).
    [InlineData(30, false, 144, 30)]
    [InlineData(240, true, 144, 240)]
    [InlineData(0, true, 144, 0)]
    public void FrameCap_FromFpsVsyncAndRefresh(int? fps, bool noVsync, int refreshRate, int expected)
    {
        var options = new ViewOptions { Device = "sim", Fps = fps, NoVsync = noVsync };

        Assert.Equal(expected, ViewWindow.FrameCap(options, refreshRate));
    }
}
