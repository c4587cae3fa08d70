namespace VgpuView.Viewer.Commands;

/// <summary>What a command works with: its output streams, how devices are opened, and the stop signal.</summary>
internal sealed class CommandContext
{
    public required TextWriter Output { get; init; }

    public required TextWriter Error { get; init; }

    public required IDeviceOpener Opener { get; init; }

    /// <summary>Signalled by Ctrl-C (SIGINT) or SIGTERM: long-running commands stop cleanly.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Whether standard error is a terminal (progress lines are shown only there).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Raw standard output, for binary output such as `capture -o -`.</summary>
    public Func<Stream>? OpenStandardOutput { get; init; }

    /// <summary>Whether standard output is a pipe whose reader has gone; a command that writes rarely asks each frame.</summary>
    public Func<bool> OutputBroken { get; init; } = static () => false;
}
