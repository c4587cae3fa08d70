using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_GETFL = 3;
        internal const int O_ACCMODE = 3;
        internal const int O_RDONLY = 0;
        internal const short POLLOUT = 0x004;
        internal const short POLLERR = 0x008;

        internal const int EINTR = 4;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11;
        internal const int EPIPE = 32;

        [StructLayout(LayoutKind.Sequential)]
        internal struct pollfd
        {
            public int fd;         // int: file descriptor
            public short events;   // short: requested events
            public short revents;  // short: returned events
        }

        /// <summary>
        /// Standard input, output or error (0, 1, 2) as a handle that does not own it: the
        /// descriptor belongs to the process and stays open after the handle is gone.
        /// </summary>
        internal static SafeFileHandle StandardHandle(int fd) => new(fd, ownsHandle: false);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        private static unsafe partial nint WriteRaw(SafeFileHandle fd, byte* buf, nuint count);

        /// <summary>write(2): bytes written, or -1 with errno set.</summary>
        internal static unsafe nint Write(SafeFileHandle fd, ReadOnlySpan<byte> buffer)
        {
            fixed (byte* p = buffer)
            {
                return WriteRaw(fd, p, (nuint)buffer.Length);
            }
        }

        /// <summary>_exit(2): ends the process at once, running no handler and waiting for no thread.</summary>
        [LibraryImport("libc", EntryPoint = "_exit")]
        internal static partial void ImmediateExit(int status);

        [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(SafeFileHandle fd, int cmd, int arg);

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        private static unsafe partial int PollRaw(pollfd* fds, nuint nfds, int timeout);

        /// <summary>poll(2) on one descriptor; the events it returned, 0 when none or on failure.</summary>
        internal static unsafe short Poll(SafeFileHandle fd, short events, int timeoutMs)
        {
            bool added = false;
            try
            {
                fd.DangerousAddRef(ref added);
                pollfd p = new() { fd = (int)fd.DangerousGetHandle(), events = events };
                return PollRaw(&p, 1, timeoutMs) > 0 ? p.revents : (short)0;
            }
            finally
            {
                if (added)
                {
                    fd.DangerousRelease();
                }
            }
        }
    }
}
