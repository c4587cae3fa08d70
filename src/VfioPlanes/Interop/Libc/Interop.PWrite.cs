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

        /// <summary>pwrite(2) as the device contract wants it: 0 and the byte count, or the errno.</summary>
        internal static int PWrite(SafeFdHandle fd, ReadOnlySpan<byte> buffer, long offset, out int bytesWritten)
        {
            nint n = PWrite(fd, buffer, offset);
            bytesWritten = n < 0 ? 0 : (int)n;
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }
}
