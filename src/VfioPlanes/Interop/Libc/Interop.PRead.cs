using System.Runtime.InteropServices;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>pread(2): bytes read, 0 at end of file, -1 with errno set.</summary>
        internal static unsafe nint PRead(SafeFdHandle fd, Span<byte> buffer, long offset)
        {
            using var borrowed = new BorrowedFd(fd);
            fixed (byte* p = buffer)
            {
                return (nint)(long)LibC.pread(borrowed.Value, p, buffer.Length, offset);
            }
        }

        /// <summary>pread(2) as the device contract wants it: 0 and the byte count, or the errno.</summary>
        internal static int PRead(SafeFdHandle fd, Span<byte> buffer, long offset, out int bytesRead)
        {
            nint n = PRead(fd, buffer, offset);
            bytesRead = n < 0 ? 0 : (int)n;
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }
}
