using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int PROT_NONE = 0x0;
        internal const int PROT_READ = 0x1;
        internal const int PROT_WRITE = 0x2;
        internal const int MAP_SHARED = 0x01;
        internal const int MAP_PRIVATE = 0x02;

        // NOTE: raw mmap reports failure as MAP_FAILED ((void*)-1), not NULL.
        internal static readonly nint MAP_FAILED = -1;

        /// <summary>mmap(2) of <paramref name="fd"/>: the address, or <see cref="MAP_FAILED"/> with errno set.</summary>
        internal static unsafe nint MMap(nint addr, nuint length, int prot, int flags, SafeFdHandle fd, long offset)
        {
            using var borrowed = new BorrowedFd(fd);
            return (nint)LibC.mmap((void*)addr, (size_t)(ulong)length, prot, flags, borrowed.Value, offset);
        }

        /// <summary>munmap(2): 0, or -1 with errno set.</summary>
        internal static unsafe int MUnmap(nint addr, nuint length) => LibC.munmap((void*)addr, (size_t)(ulong)length);
    }
}
