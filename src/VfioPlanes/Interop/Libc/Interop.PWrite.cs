using System.Runtime.InteropServices;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>pwrite(2): bytes written, or -1 with errno set.</summary>
        internal static unsafe nint PWrite(SafeFdHandle fd, ReadOnlySpan<byte> buffer, long offset)
        {
            using var borrowed = new BorrowedFd(fd);
            fixed (byte* p = buffer)
            {
                return (nint)(long)LibC.pwrite(borrowed.Value, p, buffer.Length, offset);
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
