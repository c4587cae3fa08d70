using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const short POLLIN = 0x001;
        internal const short POLLOUT = 0x004;
        internal const short POLLERR = 0x008;
        internal const short POLLHUP = 0x010;
        internal const short POLLNVAL = 0x020;

        // poll.h: struct pollfd (8 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct pollfd
        {
            public int fd;         // int: file descriptor
            public short events;   // short: requested events
            public short revents;  // short: returned events
        }

        // Declared here, not taken from Tmds.LibC: its poll has no SetLastError, so the errno of a
        // failed poll (EINTR, which the runtime's own signals cause) would be lost, and a reader
        // must tell EINTR (poll again) from a real failure.
        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        private static unsafe partial int PollRaw(pollfd* fds, nuint nfds, int timeout);

        /// <summary>poll(2) on one descriptor: how many are ready (0 or 1), or -1 with errno set.</summary>
        internal static unsafe int Poll(SafeFdHandle fd, short events, int timeoutMs, out short revents)
        {
            using var borrowed = new BorrowedFd(fd);
            pollfd p = new() { fd = borrowed.Value, events = events };
            int rc = PollRaw(&p, 1, timeoutMs);
            revents = p.revents;
            return rc;
        }
    }
}
