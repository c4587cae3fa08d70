namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>
/// Where the doctor reads the machine: sysfs, procfs and /dev. Tests point them at fixture
/// trees; nothing under them is ever written.
/// </summary>
public sealed record HostRoots(string Sys = "/sys", string Proc = "/proc", string Dev = "/dev")
{
    public string SysPath(params string[] parts) => Path.Combine([Sys, .. parts]);

    public string ProcPath(params string[] parts) => Path.Combine([Proc, .. parts]);

    public string DevPath(params string[] parts) => Path.Combine([Dev, .. parts]);

    /// <summary>A file's text, trimmed; null when it does not exist or cannot be read.</summary>
    internal static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last component of a symlink's target, or null when there is no such link.</summary>
    internal static string? LinkName(string link)
    {
        try
        {
            string? target = new FileInfo(link).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The names in a directory, sorted; none when it does not exist or cannot be read.</summary>
    internal static List<string> Names(string dir)
    {
        try
        {
            var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Whether a node or file exists (a device node counts; a dangling link does not).</summary>
    internal static bool Exists(string path) => File.Exists(path);
}
