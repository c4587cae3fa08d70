using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_DUPFD_CLOEXEC = 1030;
        internal const int F_GETFD = 1;
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;

        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(SafeFdHandle fd, int cmd, int arg);

        /// <summary>A close-on-exec duplicate of <paramref name="fd"/>, numbered 3 or above; invalid with errno set on failure.</summary>
        /// <remarks>fcntl(F_DUPFD_CLOEXEC) returns the new descriptor as a C int (see Interop.Open.cs); the new handle owns it.</remarks>
        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int FcntlFile(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int cmd, int arg);

        internal static SafeFdHandle Dup(SafeFdHandle fd) => new(Fcntl(fd, F_DUPFD_CLOEXEC, 3), ownsHandle: true);
    }
}
