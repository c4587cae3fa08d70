using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "pwrite", SetLastError = true)]
        private static unsafe partial nint PWriteRaw(SafeFdHandle fd, byte* buf, nuint count, long offset);

        internal static unsafe nint PWrite(SafeFdHandle fd, ReadOnlySpan<byte> buffer, long offset)
        {
            fixed (byte* p = buffer)
            {
                return PWriteRaw(fd, p, (nuint)buffer.Length, offset);
            }
        }
    }
}
