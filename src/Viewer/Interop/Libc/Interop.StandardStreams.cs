using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

// The libc calls of the command line's standard streams, over Tmds.LibC: raw fds stay here.
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

        /// <summary>
        /// Standard input, output or error (0, 1, 2) as a handle that does not own it: the
        /// descriptor belongs to the process and stays open after the handle is gone.
        /// </summary>
        internal static SafeFileHandle StandardHandle(int fd) => new(fd, ownsHandle: false);

        /// <summary>write(2): bytes written, or -1 with errno set.</summary>
        internal static unsafe nint Write(SafeFileHandle fd, ReadOnlySpan<byte> buffer)
        {
            // The handles here never own their descriptor, so no release can close it: the
            // reference only keeps Dispose from racing the call.
            bool added = false;
            try
            {
                fd.DangerousAddRef(ref added);
                fixed (byte* p = buffer)
                {
                    return (nint)(long)LibC.write((int)fd.DangerousGetHandle(), p, buffer.Length);
                }
            }
            finally
            {
                if (added)
                {
                    fd.DangerousRelease();
                }
            }
        }

        /// <summary>_exit(2): ends the process at once, running no handler and waiting for no thread.</summary>
        internal static void ImmediateExit(int status) => LibC._exit(status);

        /// <summary>fcntl(2) with an integer argument: the result, or -1 with errno set.</summary>
        internal static int Fcntl(SafeFileHandle fd, int cmd, int arg)
        {
            bool added = false;
            try
            {
                fd.DangerousAddRef(ref added);
                return LibC.fcntl((int)fd.DangerousGetHandle(), cmd, arg);
            }
            finally
            {
                if (added)
                {
                    fd.DangerousRelease();
                }
            }
        }

        /// <summary>poll(2) on one descriptor; the events it returned, 0 when none or on failure (Tmds.LibC's poll keeps no errno).</summary>
        internal static unsafe short Poll(SafeFileHandle fd, short events, int timeoutMs)
        {
            bool added = false;
            try
            {
                fd.DangerousAddRef(ref added);
                pollfd p = new() { fd = (int)fd.DangerousGetHandle(), events = events };
                return LibC.poll(&p, 1, timeoutMs) > 0 ? p.revents : (short)0;
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
