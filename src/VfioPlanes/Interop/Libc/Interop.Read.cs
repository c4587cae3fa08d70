using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_NONBLOCK = 0x800;

        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        private static unsafe partial nint ReadRaw(SafeFdHandle fd, byte* buf, nuint count);

        /// <summary>read(2): bytes read, 0 at end of file, -1 with errno set.</summary>
        internal static unsafe nint Read(SafeFdHandle fd, Span<byte> buffer)
        {
            fixed (byte* p = buffer)
            {
                return ReadRaw(fd, p, (nuint)buffer.Length);
            }
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static unsafe partial nint ReadLinkRaw(string path, byte* buf, nuint size);

        /// <summary>readlink(2): where a symbolic link points, as written in the link; null when it is not one.</summary>
        internal static unsafe string? ReadLink(string path)
        {
            byte[] buffer = new byte[4096];
            fixed (byte* p = buffer)
            {
                nint n = ReadLinkRaw(path, p, (nuint)buffer.Length);
                return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
            }
        }
    }
}
