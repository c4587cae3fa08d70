using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>ftruncate(2): 0, or -1 with errno set.</summary>
        internal static int FTruncate(SafeFdHandle fd, long length)
        {
            using var borrowed = new BorrowedFd(fd);
            return LibC.ftruncate(borrowed.Value, length);
        }
    }
}
