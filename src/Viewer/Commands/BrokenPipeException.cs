namespace VgpuView.Viewer.Commands;

/// <summary>
/// Standard output is a pipe whose reader has gone (EPIPE), as with `vgpuview watch | head -1`.
/// The program ends at once with <see cref="ExitCodes.BrokenPipe"/> and says nothing: the
/// reader left on purpose, as a program killed by SIGPIPE says nothing either.
/// </summary>
internal sealed class BrokenPipeException() : IOException("standard output: the reading end of the pipe is closed (EPIPE)", VfioPlanes.Errno.EPIPE);
