using System.Text;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_NONBLOCK = 0x800;

        /// <summary>read(2): bytes read, 0 at end of file, -1 with errno set.</summary>
        internal static unsafe nint Read(SafeFdHandle fd, Span<byte> buffer)
        {
            using var borrowed = new BorrowedFd(fd);
            fixed (byte* p = buffer)
            {
                return (nint)(long)LibC.read(borrowed.Value, p, buffer.Length);
            }
        }

        /// <summary>readlink(2): where a symbolic link points, as written in the link; null (errno set) when it is not one.</summary>
        internal static unsafe string? ReadLink(string path)
        {
            Span<byte> name = stackalloc byte[CString.StackBytes];
            byte[] target = new byte[4096];
            fixed (byte* p = CString.Utf8(path, name))
            fixed (byte* t = target)
            {
                long n = LibC.readlink(p, t, target.Length);
                return n < 0 ? null : Encoding.UTF8.GetString(target, 0, (int)n);
            }
        }
    }
}
