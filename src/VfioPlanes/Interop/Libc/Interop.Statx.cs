using System.Runtime.InteropServices;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_EMPTY_PATH = 0x1000;
        internal const uint STATX_TYPE = 0x0001;
        internal const uint STATX_MODE = 0x0002;
        internal const uint STATX_GID = 0x0010;
        internal const uint STATX_SIZE = 0x0200;

        // sys/stat.h: the file type bits of st_mode / stx_mode.
        internal const int S_IFMT = 0xF000;   // 0170000
        internal const int S_IFSOCK = 0xC000; // 0140000
        internal const int S_IFLNK = 0xA000;  // 0120000
        internal const int S_IFREG = 0x8000;  // 0100000
        internal const int S_IFBLK = 0x6000;  // 0060000
        internal const int S_IFDIR = 0x4000;  // 0040000
        internal const int S_IFCHR = 0x2000;  // 0020000
        internal const int S_IFIFO = 0x1000;  // 0010000

        // statx(2) rather than stat(2): struct statx (Tmds.Linux.statx, 256 bytes) has the same
        // layout on every architecture, unlike struct stat. The ABI test checks the fields read here.
        private static unsafe bool Statx(string path, int flags, uint mask, out statx result)
        {
            result = default;
            Span<byte> buffer = stackalloc byte[CString.StackBytes];
            fixed (byte* p = CString.Utf8(path, buffer))
            fixed (statx* r = &result)
            {
                return LibC.statx(AT_FDCWD, p, flags, mask, r) == 0;
            }
        }

        /// <summary>
        /// The file type (S_IFREG, S_IFIFO, ...) of <paramref name="path"/>, of the link itself
        /// unless <paramref name="followSymlinks"/>, and the size stat reports; 0 and the errno
        /// when statx(2) fails.
        /// </summary>
        internal static int FileType(string path, bool followSymlinks, out long size, out int errno)
        {
            if (!Statx(path, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, out statx buf))
            {
                errno = Marshal.GetLastPInvokeError();
                size = 0;
                return 0;
            }

            errno = 0;
            size = (long)Math.Min(buf.stx_size, long.MaxValue);
            return buf.stx_mode & S_IFMT;
        }

        /// <summary>As the other overload, without the size.</summary>
        internal static int FileType(string path, bool followSymlinks, out int errno) =>
            FileType(path, followSymlinks, out _, out errno);

        /// <summary>The owning group and the permission bits of <paramref name="path"/> (symlinks followed); false when statx(2) fails.</summary>
        internal static bool GroupAndMode(string path, out uint gid, out int mode)
        {
            if (!Statx(path, 0, STATX_GID | STATX_MODE, out statx buf))
            {
                gid = 0;
                mode = 0;
                return false;
            }

            gid = buf.stx_gid;
            mode = buf.stx_mode & 0xFFF;
            return true;
        }

        /// <summary>The type (S_IF*) and size of an open file; 0 with errno set when statx fails.</summary>
        internal static unsafe int FileType(SafeFdHandle fd, out long size, out int errno)
        {
            // statx(2) with AT_EMPTY_PATH and an empty path describes the fd itself, as fstat does.
            byte empty = 0;
            statx buf;
            int rc;
            using (var borrowed = new BorrowedFd(fd))
            {
                rc = LibC.statx(borrowed.Value, &empty, AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &buf);
            }

            if (rc != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                size = 0;
                return 0;
            }

            errno = 0;
            size = (long)Math.Min(buf.stx_size, long.MaxValue);
            return buf.stx_mode & S_IFMT;
        }
    }
}
