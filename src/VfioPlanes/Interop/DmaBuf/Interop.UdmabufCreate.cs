using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Udmabuf
    {
        /// <summary>
        /// A dma-buf over <paramref name="size"/> bytes of <paramref name="memfd"/> from offset 0. The memfd
        /// must carry F_SEAL_SHRINK and not F_SEAL_WRITE, and the size must be page aligned (linux/udmabuf.h).
        /// UDMABUF_CREATE returns the new dma-buf fd as the ioctl's C int result; the handle owns it,
        /// and is invalid with errno set on failure.
        /// </summary>
        internal static SafeFdHandle Create(SafeFdHandle udmabufDevice, SafeFdHandle memfd, ulong size)
        {
            using var borrowed = new BorrowedFd(memfd);
            udmabuf_create arg = new()
            {
                memfd = (uint)borrowed.Value,
                flags = UDMABUF_FLAGS_CLOEXEC,
                offset = 0,
                size = size,
            };
            return Libc.IoctlReturningFd(udmabufDevice, UDMABUF_CREATE, ref arg);
        }
    }
}
