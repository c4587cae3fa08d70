using System.Globalization;
using System.Text.RegularExpressions;

namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>The running kernel's release (/proc/sys/kernel/osrelease, "6.1.0-57-amd64") and its major and minor numbers.</summary>
public sealed partial record KernelVersion(string Release, int Major, int Minor)
{
    /// <summary>Whether this kernel is <paramref name="major"/>.<paramref name="minor"/> or later.</summary>
    public bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    /// <summary>Reads the release under <paramref name="roots"/>; null when it is missing or not "N.N...".</summary>
    public static KernelVersion? Read(HostRoots roots) =>
        HostRoots.ReadText(roots.ProcPath("sys", "kernel", "osrelease")) is string text ? Parse(text) : null;

    public static KernelVersion? Parse(string release)
    {
        Match m = ReleasePattern().Match(release);
        return m.Success
            ? new KernelVersion(release, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    public override string ToString() => Release;

    [GeneratedRegex("^([0-9]{1,4})\\.([0-9]{1,4})")]
    private static partial Regex ReleasePattern();
}
