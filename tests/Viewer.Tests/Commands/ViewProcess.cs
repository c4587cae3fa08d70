using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>`vgpuview view ...` as a child process on an <see cref="XSession"/>, its output lines collected.</summary>
internal sealed class ViewProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public ViewProcess(XSession x, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vgpuview.dll"));
        start.ArgumentList.Add("view");
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DISPLAY"] = x.Display;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>Whether the process has ended; once it has, its output has been read to the end.</summary>
    public bool HasExited
    {
        get
        {
            if (!_process.HasExited)
            {
                return false;
            }

            _process.WaitForExit();
            return true;
        }
    }

    public string Output => string.Join('\n', _stdout);

    public string Errors => string.Join('\n', _stderr);

    /// <summary>Waits for a line of standard output matching <paramref name="match"/>.</summary>
    public string WaitForOutput(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (string line in _stdout)
            {
                if (match(line))
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                // The process can end before its last lines are read: wait for the end of its
                // output, then look once more.
                _process.WaitForExit();
                string? last = _stdout.FirstOrDefault(match);
                if (last is not null)
                {
                    return last;
                }

                Assert.Fail($"vgpuview view exited ({_process.ExitCode}) before printing the line: {Errors}");
            }

            Thread.Sleep(50);
        }

        Assert.Fail($"vgpuview view printed no matching line in {timeout.TotalSeconds} s; stdout: {Output}; stderr: {Errors}");
        return string.Empty;
    }

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        Assert.True(_process.WaitForExit(timeout), $"vgpuview view did not exit in {timeout.TotalSeconds} s; stderr: {Errors}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
