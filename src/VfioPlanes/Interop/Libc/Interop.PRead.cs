using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "pread", SetLastError = true)]
        private static unsafe partial nint PReadRaw(SafeFdHandle fd, byte* buf, nuint count, long offset);

        internal static unsafe nint PRead(SafeFdHandle fd, Span<byte> buffer, long offset)
        {
            fixed (byte* p = buffer)
            {
                return PReadRaw(fd, p, (nuint)buffer.Length, offset);
            }
        }
    }
}
