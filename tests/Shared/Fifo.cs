using System.Diagnostics;
using Xunit;

namespace VgpuView.Tests.Shared;

/// <summary>Named pipes for tests of writers that must write into one rather than replace it.</summary>
public static class Fifo
{
    /// <summary>Makes a FIFO at <paramref name="path"/> with mkfifo(1).</summary>
    public static void Make(string path)
    {
        using Process p = Process.Start(Requires.Program("mkfifo", "coreutils"), [path])!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"mkfifo {path} failed");
    }

    /// <summary>
    /// Reads <paramref name="fifo"/> with cat while <paramref name="write"/> runs, so the writer's
    /// open finds a reader. A writer that replaced the FIFO instead leaves cat waiting for one:
    /// it is killed after a while and the test fails.
    /// </summary>
    public static byte[] ReadWhile(string fifo, Action write)
    {
        var start = new ProcessStartInfo(Requires.Program("cat", "coreutils"), [fifo]) { RedirectStandardOutput = true };
        using Process cat = Process.Start(start)!;
        using var read = new MemoryStream();
        Task copy = cat.StandardOutput.BaseStream.CopyToAsync(read);
        write();
        bool ended = cat.WaitForExit(10_000);
        if (!ended)
        {
            cat.Kill();
        }

        Assert.True(ended, $"nothing was written into the FIFO {fifo}");
        copy.Wait();
        return read.ToArray();
    }
}
