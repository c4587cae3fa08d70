using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.KernelGuest;

/// <summary>
/// A running <c>dotnet vgpuview.dll ...</c> with its stdout as a stream of lines. A device fd
/// is handed over by inheritance: .NET's Process.Start on Unix (fork, then exec) closes no
/// descriptors in the child, and the runtime opens its own files close-on-exec, so a
/// descriptor without FD_CLOEXEC arrives in vgpuview under the same number (verified by the
/// harness: "fd:N" works in the guest). The inheritable copy is closed here once the child
/// has started.
/// </summary>
internal sealed class ViewerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    private ViewerProcess(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(Pump(process.StandardOutput, _stdout, _lines.Writer), Pump(process.StandardError, _stderr, null));
    }

    public static string Dotnet { get; set; } = "dotnet";

    public static string ViewerDll { get; set; } = "vgpuview.dll";

    public int Pid => _process.Id;

    public string CommandLine { get; private init; } = "";

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts vgpuview; "{fd}" in an argument becomes the number of an inherited copy of
    /// <paramref name="device"/>'s fd; <paramref name="environment"/> adds variables (Mesa 25's).
    /// </summary>
    public static ViewerProcess Start(IReadOnlyList<string> args, GuestDevice? device = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        SafeFdHandle? inherited = device?.DupInheritable();
        try
        {
            var psi = new ProcessStartInfo(Dotnet)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
            {
                psi.Environment[key] = value;
            }

            psi.ArgumentList.Add(ViewerDll);
            foreach (string arg in args)
            {
                psi.ArgumentList.Add(inherited is null ? arg : arg.Replace("{fd}", inherited.Number.ToString()));
            }

            Process process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
            process.StandardInput.Close();
            return new ViewerProcess(process) { CommandLine = "vgpuview " + string.Join(' ', psi.ArgumentList.Skip(1)) };
        }
        finally
        {
            inherited?.Dispose();
        }
    }

    /// <summary>Runs to the end; a run longer than <paramref name="timeout"/> is killed and reported.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyList<string> args, TimeSpan timeout, GuestDevice? device = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using ViewerProcess p = Start(args, device, environment);
        int code = p.WaitForExit(timeout);
        if (code == int.MinValue)
        {
            throw new CheckFailedException($"'{p.CommandLine}' did not finish within {timeout.TotalSeconds:0} s; stderr: {Tail(p.Stderr)}");
        }

        return (code, p.Stdout, p.Stderr);
    }

    /// <summary>The next stdout line, or null when the process ended or the time ran out.</summary>
    public string? ReadLine(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return _lines.Reader.ReadAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>The exit code, or int.MinValue when it is still running after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return int.MinValue;
        }

        _readers.Wait(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>
    /// The descriptors the process has open now (/proc/PID/fd), without the runtime's own
    /// plumbing (sockets, pipes, epoll, eventfd, loaded assemblies...), by the filter the unit
    /// tests use (tests/Shared/FdSnapshot.cs): the runtime opens those lazily from its own
    /// threads, so counting them could move while nothing leaks.
    /// </summary>
    public FdSnapshot OpenFds() => FdSnapshot.OfProcess(Pid);

    /// <summary>
    /// Kills the process and waits until it is gone, so that the dma-buf fds it held are closed
    /// before the next process uses the device: stock mbochs answers a second
    /// VFIO_DEVICE_GET_GFX_DMABUF for a live buffer with an fd that holds no reference of its
    /// own (mbochs_get_gfx_dmabuf calls dma_buf_fd without get_dma_buf).
    /// </summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_process.WaitForExit(60_000))
        {
            Report.Info($"'{CommandLine}' (pid {Pid}) was still running 60 s after SIGKILL");
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public static string Tail(string text, int max = 600)
    {
        text = text.Trim();
        return text.Length <= max ? text : "..." + text[^max..];
    }

    private static async Task Pump(StreamReader reader, StringBuilder all, ChannelWriter<string>? lines)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is string line)
        {
            lock (all)
            {
                all.AppendLine(line);
            }

            lines?.TryWrite(line);
        }

        lines?.TryComplete();
    }
}
