using Xunit;

namespace VgpuView.Tests.Shared;

/// <summary>
/// Tests that need something a machine may lack call these. Where it is missing the test is
/// skipped with a reason naming the missing piece; under CI (CI=true) it fails instead, so CI
/// always runs everything.
/// </summary>
public static class Requires
{
    public static bool UnderCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, under CI, fails) with <paramref name="missing"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string missing)
    {
        if (condition)
        {
            return;
        }

        if (UnderCi)
        {
            Assert.Fail($"CI=true and this test needs {missing}; the test script should have installed it");
        }

        Assert.Skip($"needs {missing}");
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Requires <paramref name="program"/> on PATH and returns its path.</summary>
    public static string Program(string program, string package)
    {
        string? path = FindOnPath(program);
        That(path is not null, $"'{program}' on PATH (Debian package {package})");
        return path!;
    }

    /// <summary>The repository root (the folder holding VgpuView.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "VgpuView.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("VgpuView.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
