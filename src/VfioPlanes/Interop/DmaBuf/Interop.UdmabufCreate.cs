using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Udmabuf
    {
        // UDMABUF_CREATE returns the new dma-buf fd as the ioctl's result: the handle owns it.
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        private static unsafe partial SafeFdHandle IoctlCreate(SafeFdHandle fd, nuint request, udmabuf_create* arg);

        /// <summary>
        /// A dma-buf over <paramref name="size"/> bytes of <paramref name="memfd"/> from offset 0. The memfd
        /// must carry F_SEAL_SHRINK and not F_SEAL_WRITE, and the size must be page aligned (linux/udmabuf.h).
        /// An invalid handle with errno set on failure.
        /// </summary>
        internal static unsafe SafeFdHandle Create(SafeFdHandle udmabufDevice, SafeFdHandle memfd, ulong size)
        {
            bool added = false;
            try
            {
                memfd.DangerousAddRef(ref added);
                udmabuf_create arg = new()
                {
                    memfd = (uint)(int)memfd.DangerousGetHandle(),
                    flags = UDMABUF_FLAGS_CLOEXEC,
                    offset = 0,
                    size = size,
                };
                return IoctlCreate(udmabufDevice, UDMABUF_CREATE, &arg);
            }
            finally
            {
                if (added)
                {
                    memfd.DangerousRelease();
                }
            }
        }
    }
}
