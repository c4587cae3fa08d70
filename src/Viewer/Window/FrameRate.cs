// The frames per second the window reaches, measured over about a second for the HUD.
namespace VgpuView.Viewer.Window;

/// <summary>
/// Counts frames and, once at least a second (<c>frequency</c> ticks) has passed since the last
/// figure, turns the count into frames per second and starts a new count. Pure arithmetic on the
/// timestamps it is given.
/// </summary>
internal sealed class FrameRate
{
    private readonly long _frequency;
    private long _start;
    private long _frames;

    public FrameRate(long frequency, long start)
    {
        _frequency = frequency;
        _start = start;
    }

    /// <summary>Frames per second over the last whole measurement; 0 until the first one ends.</summary>
    public double PerSecond { get; private set; }

    /// <summary>One more frame, finished at <paramref name="now"/>.</summary>
    public void Count(long now)
    {
        _frames++;
        long elapsed = now - _start;
        if (elapsed >= _frequency)
        {
            PerSecond = _frames * (double)_frequency / elapsed;
            _frames = 0;
            _start = now;
        }
    }
}
