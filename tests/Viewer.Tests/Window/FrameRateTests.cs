using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>The HUD's frames per second, measured over about a second on a clock of 1000 ticks a second.</summary>
public sealed class FrameRateTests
{
    [Fact]
    public void PerSecond_IsZeroUntilASecondHasPassed()
    {
        var rate = new FrameRate(1000, 0);
        for (int t = 100; t < 1000; t += 100)
        {
            rate.Count(t);
        }

        Assert.Equal(0, rate.PerSecond);
    }

    [Fact]
    public void PerSecond_IsTheFramesOfEachMeasurementOverItsLength()
    {
        var rate = new FrameRate(1000, 0);
        for (int t = 100; t <= 1000; t += 100)
        {
            rate.Count(t);
        }

        // Ten frames in 1000 ticks.
        Assert.Equal(10.0, rate.PerSecond);

        // Then two frames in 1250 ticks (from 1000 to 2250): 1.6 a second; the figure holds in between.
        rate.Count(1500);
        Assert.Equal(10.0, rate.PerSecond);
        rate.Count(2250);
        Assert.Equal(1.6, rate.PerSecond, 12);
    }
}
