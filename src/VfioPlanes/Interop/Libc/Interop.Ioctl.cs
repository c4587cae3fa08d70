using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ioctl(2) is variadic; on x86-64 a pointer-sized third argument is passed the
        // same way as the variadic one, so one private import serves every request.
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        private static unsafe partial int IoctlRaw(SafeFdHandle fd, nuint request, void* arg);

        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        private static partial int IoctlValue(SafeFdHandle fd, nuint request, nuint arg);

        /// <summary>ioctl with a pointer to <paramref name="arg"/>; returns the result, -1 with errno set on failure.</summary>
        internal static unsafe int Ioctl<T>(SafeFdHandle fd, uint request, ref T arg) where T : unmanaged
        {
            fixed (T* p = &arg)
            {
                return IoctlRaw(fd, request, p);
            }
        }

        /// <summary>ioctl whose argument is a byte buffer (variable-sized structs with capability chains).</summary>
        internal static unsafe int Ioctl(SafeFdHandle fd, uint request, Span<byte> arg)
        {
            fixed (byte* p = arg)
            {
                return IoctlRaw(fd, request, p);
            }
        }

        /// <summary>ioctl whose argument is passed by value (an integer, not a pointer).</summary>
        internal static int Ioctl(SafeFdHandle fd, uint request, nuint value) => IoctlValue(fd, request, value);
    }
}
