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

        /// <summary>pread(2) as the device contract wants it: 0 and the byte count, or the errno.</summary>
        internal static int PRead(SafeFdHandle fd, Span<byte> buffer, long offset, out int bytesRead)
        {
            nint n = PRead(fd, buffer, offset);
            bytesRead = n < 0 ? 0 : (int)n;
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }
}
