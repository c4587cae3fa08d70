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
    public static (long Least, string Counts) Least(Action window, int windows = 3) =>
        Least(window, windows, GC.GetAllocatedBytesForCurrentThread);

    /// <summary>
    /// As <see cref="Least(Action, int)"/>, counted over the whole process (precisely), for work
    /// that runs partly on pool threads; nothing else may run beside it.
    /// </summary>
    public static (long Least, string Counts) LeastInProcess(Action window, int windows = 3) =>
        Least(window, windows, static () => GC.GetTotalAllocatedBytes(precise: true));

    private static (long Least, string Counts) Least(Action window, int windows, Func<long> allocated)
    {
        long least = long.MaxValue;
        long[] counts = new long[windows];
        for (int i = 0; i < windows; i++)
        {
            long before = allocated();
            window();
            counts[i] = allocated() - before;
            least = Math.Min(least, counts[i]);
        }

        return (least, "bytes per window: " + string.Join(", ", counts));
    }
}
