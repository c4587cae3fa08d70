using System.Globalization;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>A process that has a file open: its pid and its command name (/proc/&lt;pid&gt;/comm).</summary>
public sealed record GroupHolder(int Pid, string? Command)
{
    public override string ToString() => Command is null ? $"pid {Pid}" : $"pid {Pid} ({Command})";
}

/// <summary>
/// Finds the processes that hold a VFIO group open. A group can be open in one process at a
/// time (drivers/vfio/group.c refuses a second open with EBUSY), so when opening fails with
/// EBUSY the user needs to know which process to stop or to ask for the device fd.
/// </summary>
public static class GroupHolders
{
    /// <summary>
    /// Every process under <paramref name="procRoot"/> with an fd whose link points at
    /// <paramref name="devicePath"/>. Processes whose fd directory cannot be read (another
    /// user's, without root) or that exit while being scanned are passed over.
    /// </summary>
    public static IReadOnlyList<GroupHolder> Find(string devicePath, string procRoot = "/proc")
    {
        ArgumentException.ThrowIfNullOrEmpty(devicePath);
        var holders = new List<GroupHolder>();
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return holders;
        }

        foreach (string dir in processes)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !HoldsOpen(Path.Combine(dir, "fd"), devicePath))
            {
                continue;
            }

            holders.Add(new GroupHolder(pid, ReadComm(Path.Combine(dir, "comm"))));
        }

        holders.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        return holders;
    }

    private static bool HoldsOpen(string fdDir, string devicePath)
    {
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries(fdDir))
            {
                // /proc/<pid>/fd/<n> is a link whose target text is the opened path.
                if (string.Equals(new FileInfo(fd).LinkTarget, devicePath, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to read, or the process is gone: it cannot be named.
        }

        return false;
    }

    private static string? ReadComm(string path)
    {
        try
        {
            string comm = File.ReadAllText(path).Trim();
            return comm.Length == 0 ? null : comm;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
