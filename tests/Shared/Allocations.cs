namespace VgpuView.Tests.Shared;

/// <summary>
/// Measures what a steady state allocates on the calling thread. The runtime can allocate on a
/// thread now and then for its own reasons (a method's optimised code replacing its first,
/// under a loaded machine at an unlucky moment), so one window of frames may show bytes that
/// are not the code's. Code that allocates per frame shows bytes in every window; the least of
/// several windows is therefore 0 exactly when the steady state itself allocates nothing.
/// </summary>
public static class Allocations
{
    /// <summary>The fewest bytes any of <paramref name="windows"/> runs of <paramref name="window"/> allocated on this thread, with all the counts.</summary>
    public static (long Least, string Counts) Least(Action window, int windows = 3)
    {
        long least = long.MaxValue;
        long[] counts = new long[windows];
        for (int i = 0; i < windows; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            counts[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            least = Math.Min(least, counts[i]);
        }

        return (least, "bytes per window: " + string.Join(", ", counts));
    }
}
