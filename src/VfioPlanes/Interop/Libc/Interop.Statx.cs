using System.Runtime.InteropServices;
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

        // linux/stat.h: struct statx (256 bytes). Its layout is the same on every architecture,
        // unlike struct stat, which is why statx is used. Only the fields up to stx_size are
        // named; the rest is left as the struct's tail.
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        internal struct statx
        {
            public uint stx_mask;        // __u32: what the kernel filled in (STATX_*)
            public uint stx_blksize;     // __u32
            public ulong stx_attributes; // __u64
            public uint stx_nlink;       // __u32
            public uint stx_uid;         // __u32
            public uint stx_gid;         // __u32
            public ushort stx_mode;      // __u16: file type and permissions
        public ushort __spare0;      // __u16
        public ulong stx_ino;        // __u64: inode number
        public ulong stx_size;       // __u64: file size in bytes
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int StatxRaw(int dirfd, string pathname, int flags, uint mask, out statx statxbuf);

        /// <summary>
        /// The file type (S_IFREG, S_IFIFO, ...) of <paramref name="path"/>, of the link itself
        /// unless <paramref name="followSymlinks"/>; 0 and the errno when statx(2) fails.
        /// </summary>
        /// <summary>As the other overload, with the size stat reports (links followed when asked).</summary>
        internal static int FileType(string path, bool followSymlinks, out long size, out int errno)
        {
            if (StatxRaw(AT_FDCWD, path, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, out statx buf) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                size = 0;
                return 0;
            }

            errno = 0;
            size = (long)Math.Min(buf.stx_size, long.MaxValue);
            return buf.stx_mode & S_IFMT;
        }

        internal static int FileType(string path, bool followSymlinks, out int errno)
        {
            if (StatxRaw(AT_FDCWD, path, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_TYPE, out statx buf) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return 0;
            }

            errno = 0;
            return buf.stx_mode & S_IFMT;
        }

        /// <summary>The owning group and the permission bits of <paramref name="path"/> (symlinks followed); false when statx(2) fails.</summary>
        internal static bool GroupAndMode(string path, out uint gid, out int mode)
        {
            if (StatxRaw(AT_FDCWD, path, 0, STATX_GID | STATX_MODE, out statx buf) != 0)
            {
                gid = 0;
                mode = 0;
                return false;
            }

            gid = buf.stx_gid;
            mode = buf.stx_mode & 0xFFF;
            return true;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int StatxFdRaw(SafeFdHandle dirfd, string pathname, int flags, uint mask, out statx statxbuf);

        /// <summary>The type (S_IF*) and size of an open file; 0 with errno set when statx fails.</summary>
        internal static int FileType(SafeFdHandle fd, out long size, out int errno)
        {
            // statx(2) with AT_EMPTY_PATH and an empty path describes the fd itself, as fstat does.
            if (StatxFdRaw(fd, string.Empty, AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, out statx buf) != 0)
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
