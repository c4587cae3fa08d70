// One program started by a real-client test: its output lines collected, every wait bounded, and
// the process (with anything it started) killed when the test ends, whatever happened.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed class ChildProcess : IDisposable
{
    private const int SIGTERM = 15;

    private readonly Process _process;
    private readonly System.Text.StringBuilder _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Task _stdoutReader;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        _process.BeginErrorReadLine();

        // Standard output is read as it comes, not by lines: a prompt ends without a newline.
        _stdoutReader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = _process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (_stdout)
                {
                    _stdout.Append(buffer, 0, n);
                }
            }
        });
    }

    public string Name { get; }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Errors => string.Join('\n', _stderr);

    public StreamWriter StandardInput => _process.StandardInput;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="program"/>; <paramref name="environment"/> entries with a null value are removed.</summary>
    public static ChildProcess Start(string name, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, bool standardInput = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return new ChildProcess(name, Process.Start(start) ?? throw new InvalidOperationException("cannot start " + program));
    }

    /// <summary>The first complete standard output line matching <paramref name="match"/>; fails naming the process when it ends or the time is up first.</summary>
    public string WaitForOutput(Func<string, bool> match, TimeSpan timeout, string what)
    {
        string? found = null;
        WaitForText(text => (found = CompleteLines(text).FirstOrDefault(match)) is not null, timeout, what);
        return found!;
    }

    /// <summary>Waits until all standard output so far satisfies <paramref name="match"/>; fails naming the process when it ends or the time is up first.</summary>
    public void WaitForText(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (match(Output))
            {
                return;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                _stdoutReader.Wait(TimeSpan.FromSeconds(5)); // the rest of its output
                if (match(Output))
                {
                    return;
                }

                Assert.Fail($"{Name} exited ({_process.ExitCode}) before printing {what}; stdout: {Output}; stderr: {Errors}");
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"{Name} printed no {what} in {timeout.TotalSeconds} s; stdout: {Output}; stderr: {Errors}");
    }

    /// <summary>Waits for the process to end by itself and returns its exit code; kills it and fails when it takes longer than <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            Assert.Fail($"{Name} did not exit in {timeout.TotalSeconds} s; stdout: {Output}; stderr: {Errors}");
        }

        _process.WaitForExit();
        _stdoutReader.Wait(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as a service manager stops a server; the exit code, or null when it had to be killed after <paramref name="grace"/>.</summary>
    public int? Terminate(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            _ = kill(_process.Id, SIGTERM);
            if (!_process.WaitForExit(grace))
            {
                Kill();
                return null;
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public override string ToString() => Name + " (pid " + Id.ToString(CultureInfo.InvariantCulture) + ")";

    private static IEnumerable<string> CompleteLines(string text)
    {
        int end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n').Select(l => l.TrimEnd('\r'));
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
    }

    // DllImport, not LibraryImport: the generated stubs need unsafe code, which the test project does not enable.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
