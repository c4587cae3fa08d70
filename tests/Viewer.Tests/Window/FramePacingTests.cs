using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>
/// The window loop's pace: the most frames per second it draws, from --fps, --no-vsync and the
/// display's refresh rate, and the wait after each frame, on a clock of 1000 ticks a second.
/// </summary>
public sealed class FramePacingTests
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
    public void Cap_FromFpsVsyncAndRefresh(int? fps, bool noVsync, int refreshRate, int expected)
    {
        Assert.Equal(expected, FramePacing.Cap(fps, noVsync, refreshRate));
    }

    [Fact]
    public void Delay_EarlyFramesWaitForTheirSlotOfOnePeriodEach()
    {
        // 50 frames a second at 1000 ticks a second: a frame every 20 ticks, from tick 0.
        var pacing = new FramePacing(50, 1000, 0);

        Assert.Equal(20, pacing.Period);
        Assert.Equal(15, pacing.Delay(5));   // due at 20
        Assert.Equal(10, pacing.Delay(30));  // due at 40: slept to 20, drew for 10
        Assert.Equal(1, pacing.Delay(59));   // due at 60
    }

    [Fact]
    public void Delay_ALateFrameDoesNotWaitAndTheCountStartsAgainFromIt()
    {
        var pacing = new FramePacing(50, 1000, 0);

        Assert.Equal(0, pacing.Delay(100));  // due at 20, done at 100: go on at once
        Assert.Equal(15, pacing.Delay(105)); // due at 100 + 20, not at 40 (no rushing to catch up)
        Assert.Equal(0, pacing.Delay(140));  // due at 140 exactly: no wait
        Assert.Equal(20, pacing.Delay(140)); // due at 160
    }

    [Fact]
    public void Delay_WithoutACap_NeverWaits()
    {
        var pacing = new FramePacing(0, 1000, 0);

        Assert.Equal(0, pacing.Period);
        Assert.Equal(0, pacing.Delay(1));
        Assert.Equal(0, pacing.Delay(2));
    }

    [Fact]
    public void Period_IsWholeTicksOfTheClock()
    {
        // 1000 / 3 = 333.33: the frames come 333 ticks apart.
        var pacing = new FramePacing(3, 1000, 0);

        Assert.Equal(333, pacing.Period);
        Assert.Equal(333, pacing.Delay(0));
        Assert.Equal(666, pacing.Delay(0));
    }
}
