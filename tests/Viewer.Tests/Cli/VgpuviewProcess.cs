using System.Diagnostics;
using System.Globalization;

namespace VgpuView.Viewer.Tests.Cli;

/// <summary>What one run of the real vgpuview program did.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error, TimeSpan Elapsed, long PeakRssBytes);

/// <summary>
/// Runs the built vgpuview as a child process (`dotnet vgpuview.dll ...`), through bash when the
/// test needs a shell's redirections (a closed stream, a pipe into head). Its peak resident memory
/// is read from /proc while it runs (VmHWM), so a run's memory is measured, not guessed.
/// </summary>
internal static class VgpuviewProcess
{
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "vgpuview.dll");

    /// <summary>Runs vgpuview with <paramref name="args"/>; kills it after <paramref name="timeout"/> and fails the caller's assertion by returning -1.</summary>
    public static ProcessResult Run(IEnumerable<string> args, TimeSpan timeout) => Start(Dotnet, [Dll, .. args], timeout, null);

    /// <summary>
    /// Runs `bash -c SCRIPT` where "$V" is the vgpuview command: SCRIPT says what happens to its
    /// streams, as in <c>"$V" watch sim --json | head -1; exit ${PIPESTATUS[0]}</c>.
    /// </summary>
    public static ProcessResult Shell(string script, TimeSpan timeout, Action<Process>? whileRunning = null) =>
        Start("/bin/bash", ["-c", $"V=({Quote(Dotnet)} {Quote(Dll)}); {script.Replace("\"$V\"", "\"${V[@]}\"", StringComparison.Ordinal)}"], timeout, whileRunning);

    /// <summary>Sends <paramref name="signal"/> ("TERM", "INT") to a process and its children by the kill program.</summary>
    public static void Signal(int pid, string signal)
    {
        using Process kill = Process.Start("/bin/kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static ProcessResult Start(string program, string[] args, TimeSpan timeout, Action<Process>? whileRunning)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        Task watcher = Task.Run(() =>
        {
            while (!p.HasExited)
            {
                peak = Math.Max(peak, PeakRss(p.Id));
                Thread.Sleep(5);
            }
        });
        whileRunning?.Invoke(p);
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            watcher.Wait();
            return new ProcessResult(-1, stdout.Result, stderr.Result + $"\n(killed after {timeout.TotalSeconds} s)", clock.Elapsed, peak);
        }

        p.WaitForExit();
        watcher.Wait();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, clock.Elapsed, peak);
    }

    // VmHWM of the process, or of its newest child when it is bash running vgpuview.
    private static long PeakRss(int pid)
    {
        try
        {
            long own = 0;
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    own = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }

            string children = $"/proc/{pid}/task/{pid}/children";
            long most = own;
            if (File.Exists(children))
            {
                foreach (string child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    most = Math.Max(most, PeakRss(int.Parse(child, CultureInfo.InvariantCulture)));
                }
            }

            return most;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0; // it ended between two reads
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
