namespace VgpuView.Tests.Shared;

/// <summary>
/// The process's open fds (/proc/self/fd) as a leak test sees them: every fd and what it points
/// at, except the runtime's and the test host's own: sockets, pipes, epoll, eventfd, signalfd,
/// timerfd and inotify instances, the assemblies it has loaded (it keeps each .dll open) and
/// /dev/null, /dev/urandom and /dev/tty. The runtime opens those lazily, some from its own
/// threads (the first Process start creates a signal pipe, the first async socket an epoll
/// instance, the first use of a type loads its assembly), so a count that included them could
/// move while a test runs alone. A device, a dma-buf cache or a renderer opens none of them: what
/// it leaks is a memfd, a dma-buf, another anonymous inode, a device node or a file, and those
/// are all counted.
/// </summary>
public sealed class FdSnapshot
{
    private static readonly string[] s_plumbing =
    [
        "socket:", "pipe:", "anon_inode:[eventpoll]", "anon_inode:[eventfd]", "anon_inode:[signalfd]",
        "anon_inode:[timerfd]", "anon_inode:inotify", "/dev/null", "/dev/urandom", "/dev/tty",
    ];

    private readonly SortedDictionary<int, string> _fds;

    private FdSnapshot(SortedDictionary<int, string> fds)
    {
        _fds = fds;
    }

    public int Count => _fds.Count;

    /// <summary>
    /// The open fds now. With <paramref name="collectFirst"/>, finalizers run first, so fds that
    /// other code dropped without disposing do not close at a random moment later.
    /// </summary>
    public static FdSnapshot Take(bool collectFirst = true)
    {
        if (collectFirst)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        return Read("/proc/self/fd");
    }

    /// <summary>
    /// The open fds of another process now, filtered the same way: the real-kernel harness
    /// counts a running vgpuview's fds with it. Throws <see cref="IOException"/> when the
    /// process is gone.
    /// </summary>
    public static FdSnapshot OfProcess(int pid) => Read($"/proc/{pid}/fd");

    /// <summary>The fds and their targets, "N->target" in fd order, for a message.</summary>
    public override string ToString() => string.Join(' ', _fds.Select(f => $"{f.Key}->{f.Value}"));

    private static FdSnapshot Read(string directory)
    {
        var fds = new SortedDictionary<int, string>();
        foreach (string entry in Directory.GetFileSystemEntries(directory))
        {
            string? target = ReadLink(entry);
            if (target is not null && !IsRuntimes(target) &&
                int.TryParse(Path.GetFileName(entry), out int fd))
            {
                fds[fd] = target;
            }
        }

        return fds.Count == 0 ? throw new InvalidOperationException($"{directory} listed no fds") : new FdSnapshot(fds);
    }

    /// <summary>For a failure message: the fds opened and closed since <paramref name="before"/>.</summary>
    public string Since(FdSnapshot before)
    {
        var opened = _fds.Where(f => !before._fds.TryGetValue(f.Key, out string? t) || t != f.Value).Select(f => $"{f.Key} -> {f.Value}");
        var closed = before._fds.Where(f => !_fds.TryGetValue(f.Key, out string? t) || t != f.Value).Select(f => $"{f.Key} -> {f.Value}");
        return $"{before.Count} fds before, {Count} now; opened since: [{string.Join(", ", opened)}]; closed since: [{string.Join(", ", closed)}]";
    }

    private static bool IsRuntimes(string target) =>
        target.EndsWith(".dll", StringComparison.Ordinal) || s_plumbing.Any(p => target.StartsWith(p, StringComparison.Ordinal));

    // The fd can close between listing the directory and reading its link (another thread's).
    private static string? ReadLink(string entry)
    {
        try
        {
            return new FileInfo(entry).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
