using System.Text;
using Microsoft.Win32.SafeHandles;

using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Cli;

/// <summary>
/// The one policy for the process's standard output and error, after coreutils:
/// <list type="bullet">
/// <item>Standard output is written with write(2), unbuffered beyond a line. A pipe whose reader
/// left (EPIPE) throws <see cref="BrokenPipeException"/>, which ends the program at once with
/// 141 (128 + SIGPIPE, what a shell shows for a program SIGPIPE killed). .NET's Console ignores
/// EPIPE, which kept `watch | head -1` running forever.</item>
/// <item>A standard output that was closed (<c>&gt;&amp;-</c>) fails the first write with
/// "standard output is closed" (exit 1); what the command wrote to files stays.</item>
/// <item>Standard error is for diagnostics, and a diagnostic that cannot be written is dropped:
/// a closed or broken standard error never aborts the program or changes its exit code.</item>
/// </list>
/// A stream the parent closed is recognised even though the runtime has reused its number before
/// Main runs: .NET opens a pipe for its signal handling at startup, and a free descriptor 1 or 2
/// becomes that pipe's read end (and, with both closed, 2 its write end). Such a descriptor is
/// never written.
/// </summary>
internal sealed class StandardStreams
{
    private readonly SafeFileHandle _out = Interop.Libc.StandardHandle(1);
    private readonly bool _outClosed;
    private readonly bool _errClosed;

    private StandardStreams(bool outClosed, bool errClosed)
    {
        _outClosed = outClosed;
        _errClosed = errClosed;
        Output = new StreamWriter(new OutputStream(this), new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true };
        Error = new StreamWriter(new DiagnosticStream(errClosed), new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true };
    }

    /// <summary>Text to standard output, each Write flushed; throws <see cref="BrokenPipeException"/> on EPIPE.</summary>
    public TextWriter Output { get; }

    /// <summary>Text to standard error; never throws.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard error is a terminal.</summary>
    public bool ErrorIsTerminal => !_errClosed && !Console.IsErrorRedirected;

    /// <summary>The process's standard streams as they are now.</summary>
    public static StandardStreams Open() => new(IsClosed(1), IsClosed(2));

    /// <summary>Binary standard output (capture -o -), with the same EPIPE and closed-stream policy as <see cref="Output"/>.</summary>
    public Stream OpenOutput() => new OutputStream(this);

    /// <summary>
    /// Whether the reader of a standard output pipe has gone, without writing: a command that
    /// writes rarely (watch, waiting for a change) looks every frame and ends as a write would.
    /// </summary>
    public bool OutputBroken() => !_outClosed && (Interop.Libc.Poll(_out, 0, 0) & Interop.Libc.POLLERR) != 0;

    // A standard stream is closed when its descriptor is not open, is open only for reading (the
    // runtime's pipe read end), or is a pipe whose other end this process itself holds (the
    // runtime's write end, with 1 and 2 both closed): no parent hands a child both ends.
    private static bool IsClosed(int fd)
    {
        int flags = Interop.Libc.Fcntl(Interop.Libc.StandardHandle(fd), Interop.Libc.F_GETFL, 0);
        if (flags < 0 || (flags & Interop.Libc.O_ACCMODE) == Interop.Libc.O_RDONLY)
        {
            return true;
        }

        try
        {
            string? target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (target is null || !target.StartsWith("pipe:", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (string other in Directory.EnumerateFiles("/proc/self/fd"))
            {
                if (Path.GetFileName(other) != fd.ToString(System.Globalization.CultureInfo.InvariantCulture) &&
                    int.TryParse(Path.GetFileName(other), out int n) &&
                    new FileInfo(other).LinkTarget == target &&
                    (Interop.Libc.Fcntl(Interop.Libc.StandardHandle(n), Interop.Libc.F_GETFL, 0) & Interop.Libc.O_ACCMODE) == Interop.Libc.O_RDONLY)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: take the stream as open, as every other program does.
        }

        return false;
    }

    private void WriteOut(ReadOnlySpan<byte> bytes)
    {
        if (_outClosed)
        {
            throw new IOException("cannot write to standard output: it is closed (EBADF)");
        }

        while (!bytes.IsEmpty)
        {
            nint n = Interop.Libc.Write(_out, bytes);
            if (n >= 0)
            {
                bytes = bytes[(int)n..];
                continue;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Interop.Libc.EPIPE:
                    throw new BrokenPipeException();
                case Interop.Libc.EINTR:
                    break;
                case Interop.Libc.EAGAIN:
                    // A parent may leave the pipe non-blocking: wait until it takes more.
                    Interop.Libc.Poll(_out, Interop.Libc.POLLOUT, 100);
                    break;
                case Interop.Libc.EBADF:
                    throw new IOException("cannot write to standard output: it is closed (EBADF)");
                default:
                    throw new IOException($"cannot write to standard output: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({VfioPlanes.Errno.Name(errno)})");
            }
        }
    }

    private sealed class OutputStream(StandardStreams owner) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => owner.WriteOut(buffer);
    }

    // Standard error: every failure is dropped, a closed one is never written.
    private sealed class DiagnosticStream(bool closed) : WriteOnlyStream
    {
        private readonly SafeFileHandle _err = Interop.Libc.StandardHandle(2);
        private bool _failed = closed;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!_failed && !buffer.IsEmpty)
            {
                nint n = Interop.Libc.Write(_err, buffer);
                if (n >= 0)
                {
                    buffer = buffer[(int)n..];
                }
                else if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Interop.Libc.EINTR)
                {
                    _failed = true;
                }
            }
        }
    }

    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public abstract override void Write(ReadOnlySpan<byte> buffer);
    }
}
