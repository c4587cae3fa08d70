using System.Diagnostics;
using VgpuView.Tests.Shared;

using Xunit;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// Runs a GL test again in a child process whose EGL is Mesa 25, unpacked by
/// tests/setup.d/30-mesa.sh into .cache/mesa25. glvnd reads its vendor list
/// (__EGL_VENDOR_LIBRARY_FILENAMES) and the loader its LD_LIBRARY_PATH when the process loads
/// libEGL.so.1, so a running test host cannot switch Mesa; the child is this test assembly
/// (an xunit v3 executable) run with that environment and a filter naming the one test.
/// In the child the same test finds <see cref="InMesa25"/> true and runs its body.
/// </summary>
internal static class GpuChild
{
    private const string ChildVariable = "VGPUVIEW_GL_CHILD";

    public static bool InMesa25 => Environment.GetEnvironmentVariable(ChildVariable) == "mesa25";

    public static string EnvFile => Path.Combine(Requires.RepoRoot, ".cache", "mesa25", "env");

    /// <summary>Runs <paramref name="test"/> (Namespace.Class.Method) under Mesa 25, with <paramref name="environment"/> set besides, and asserts it passed there.</summary>
    public static void RunUnderMesa25(string test, params (string Name, string Value)[] environment)
    {
        Requires.That(File.Exists(EnvFile), "Mesa 25 unpacked in .cache/mesa25 (tests/setup.d/30-mesa.sh)");
        // dotnet test names the host it runs under; elsewhere the one on PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(GpuChild).Assembly.Location);
        start.ArgumentList.Add("-method");
        start.ArgumentList.Add(test);
        start.ArgumentList.Add("-noColor");
        foreach (string line in File.ReadAllLines(EnvFile))
        {
            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                start.Environment[line[..eq]] = line[(eq + 1)..];
            }
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[ChildVariable] = "mesa25";
        using Process child = Process.Start(start)!;
        Task<string> stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), $"{test} under Mesa 25 did not finish in 3 minutes");
        string output = stdout.Result + stderr.Result;
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.True(child.ExitCode == 0, $"{test} under Mesa 25 exited {child.ExitCode}:\n{output}");

        // The runner's summary: "Total: 1, Errors: 0, Failed: 0, Skipped: 0, ..."; the test must have run and passed.
        Assert.Matches(@"Total: 1, Errors: 0, Failed: 0, Skipped: 0", output);
    }
}
