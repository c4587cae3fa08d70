using System.Diagnostics;
using Xunit;

namespace VgpuView.Tests.Shared;

/// <summary>Runs a coreutils program the tests ask about the file system, and returns what it printed.</summary>
public static class Tool
{
    /// <summary>The program's standard output; a failing run fails the test with its standard error.</summary>
    public static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(Requires.Program(program, "coreutils"), args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        string errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {errors}");
        return output;
    }
}
