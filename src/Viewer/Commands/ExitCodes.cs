namespace VgpuView.Viewer.Commands;

/// <summary>The exit codes of vgpuview, as README.md documents them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The device or a plane failed: not found, no permission, gone, invalid plane, display never enabled.</summary>
    public const int DeviceFailure = 1;

    /// <summary>The command line was wrong: unknown option, bad device spec, bad value, or a file it names (replay, needle, --blob) is missing, of the wrong kind, too large or malformed.</summary>
    public const int Usage = 2;

    /// <summary>`expect`: the expected picture did not appear in time.</summary>
    public const int NotMatched = 3;

    /// <summary>Interrupted by SIGINT or SIGTERM (128 + 2, as shells report a Ctrl-C).</summary>
    public const int Interrupted = 130;

    /// <summary>Standard output is a pipe whose reader left (128 + SIGPIPE, as shells report a program SIGPIPE ended).</summary>
    public const int BrokenPipe = 141;
}
