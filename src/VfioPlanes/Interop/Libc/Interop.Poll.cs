using VgpuView.VfioPlanes.SafeHandles;
using System.Runtime.InteropServices;

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

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        private static unsafe partial int PollRaw(pollfd* fds, nuint nfds, int timeout);

        /// <summary>poll(2) on one descriptor; the raw fd stays inside Interop.</summary>
        internal static unsafe int Poll(SafeFdHandle fd, short events, int timeoutMs, out short revents)
        {
            bool added = false;
            try
            {
                fd.DangerousAddRef(ref added);
                pollfd p = new() { fd = (int)fd.DangerousGetHandle(), events = events };
                int rc = PollRaw(&p, 1, timeoutMs);
                revents = p.revents;
                return rc;
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
