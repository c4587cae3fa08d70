using System.Runtime.InteropServices;

using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Cli;

/// <summary>
/// The one place the process's SIGINT and SIGTERM are handled. The first signal cancels
/// <see cref="Token"/>: every wait and every loop watches it and ends cleanly, releasing fds and
/// mappings and leaving no temporary file (capture and view then exit 130, watch 0, as README
/// says). Should the command not have ended when <see cref="Grace"/> has passed, or should a
/// second signal come, the process exits with 130 at once: nothing a device or a file does can
/// keep it from ending on a signal.
/// </summary>
internal sealed class ProcessSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private readonly Action<int> _exit;
    private Timer? _grace;
    private int _signals;

    private ProcessSignals(TimeSpan grace, Action<int> exit)
    {
        Grace = grace;
        _exit = exit;
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>How long a command may take to end after the first signal (3 s).</summary>
    public TimeSpan Grace { get; }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>
    /// Handles SIGINT and SIGTERM until disposed. <paramref name="exit"/> ends the process when
    /// the grace period runs out or a second signal comes (default: <see cref="ExitNow"/>).
    /// </summary>
    public static ProcessSignals Install(TimeSpan? grace = null, Action<int>? exit = null) =>
        new(grace ?? TimeSpan.FromSeconds(3), exit ?? ExitNow);

    /// <summary>
    /// Removes the temporary files of writes under way, then ends the process with _exit(2).
    /// Environment.Exit is not enough: it was seen to wait until a thread blocked in write(2) on
    /// a full pipe returned, which is the very case this is for.
    /// </summary>
    public static void ExitNow(int code)
    {
        VfioPlanes.Png.OutputFile.RemoveTemporaryFiles();
        Interop.Libc.ImmediateExit(code);
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _grace?.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext signal)
    {
        // Cancel the default action (the runtime would end the process at once, skipping cleanup).
        signal.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            _exit(ExitCodes.Interrupted);
            return;
        }

        _grace = new Timer(_ => _exit(ExitCodes.Interrupted), null, Grace, Timeout.InfiniteTimeSpan);
        _stop.Cancel();
    }
}
