using System.Runtime.InteropServices;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_DUPFD_CLOEXEC = 1030;
        internal const int F_GETFD = 1;
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;

        /// <summary>
        /// fcntl(2) with an integer argument, on a SafeFdHandle or a FileStream's SafeFileHandle;
        /// the result, or -1 with errno set.
        /// </summary>
        internal static int Fcntl(SafeHandle fd, int cmd, int arg)
        {
            using var borrowed = new BorrowedFd(fd);
            return LibC.fcntl(borrowed.Value, cmd, arg);
        }

        /// <summary>A close-on-exec duplicate of <paramref name="fd"/>, numbered 3 or above; invalid with errno set on failure.</summary>
        /// <remarks>fcntl(F_DUPFD_CLOEXEC) returns the new descriptor as a C int (see Interop.Open.cs); the new handle owns it.</remarks>
        internal static SafeFdHandle Dup(SafeFdHandle fd) => new(Fcntl(fd, F_DUPFD_CLOEXEC, 3), ownsHandle: true);
    }
}
