// The loop's pace: the most frames per second it draws, and how long it waits after a frame to keep to that.
namespace VgpuView.Viewer.Window;

/// <summary>
/// Keeps the loop to a frame rate on a clock of <c>frequency</c> ticks a second (Stopwatch's):
/// each frame is due one period after the one before; a frame finished early waits for its
/// successor's time, a late one starts the count again from now rather than rush to catch up.
/// Pure arithmetic on the timestamps it is given, so it can be checked without a clock.
/// </summary>
internal sealed class FramePacing
{
    private readonly long _period;
    private long _nextDue;

    /// <param name="cap">Frames per second at most; 0 for no pace of the loop's own.</param>
    /// <param name="frequency">Ticks per second of the timestamps.</param>
    /// <param name="start">The timestamp the first frame starts at.</param>
    public FramePacing(int cap, long frequency, long start)
    {
        _period = cap > 0 ? frequency / cap : 0;
        _nextDue = start;
    }

    /// <summary>Ticks between frames; 0 when the loop is not paced.</summary>
    public long Period => _period;

    /// <summary>
    /// The most frames per second the loop draws, 0 for no cap of its own. --fps N is N. Without
    /// --fps, vsync paces the loop at the display's refresh rate (120 or 144 Hz as well as 60), so
    /// no cap; with --no-vsync nothing would, and the loop would spin a core on frames nobody sees,
    /// so it is capped at the refresh rate (<paramref name="refreshRate"/>, the primary monitor's),
    /// or at 60 where the refresh rate is unknown (0).
    /// </summary>
    public static int Cap(int? fps, bool noVsync, int refreshRate) => fps switch
    {
        int n => n,
        null when !noVsync => 0,
        null => refreshRate > 0 ? refreshRate : 60,
    };

    /// <summary>
    /// Called when a frame is done at <paramref name="now"/>: the ticks to wait before the next
    /// one, 0 when it is due already (or the loop is not paced).
    /// </summary>
    public long Delay(long now)
    {
        if (_period == 0)
        {
            return 0;
        }

        _nextDue += _period;
        if (_nextDue > now)
        {
            return _nextDue - now;
        }

        // Behind (a slow frame): start counting again from now rather than rush to catch up.
        _nextDue = now;
        return 0;
    }
}
