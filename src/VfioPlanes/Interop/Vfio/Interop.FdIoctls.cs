using System.Runtime.InteropServices;
using System.Text;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    /// <summary>
    /// The VFIO ioctls that take or return a file descriptor. They live here so the raw fd
    /// numbers they carry never leave Interop.
    /// </summary>
    internal static partial class Vfio
    {
        /// <summary>
        /// VFIO_GROUP_GET_DEVICE_FD: takes a NUL-terminated device name (mdev UUID or PCI address)
        /// and returns the device fd (invalid, errno set, on failure).
        /// </summary>
        internal static SafeFdHandle GroupGetDeviceFd(SafeFdHandle group, string name)
        {
            int length = Encoding.UTF8.GetByteCount(name);
            Span<byte> bytes = length < 256 ? stackalloc byte[length + 1] : new byte[length + 1];
            Encoding.UTF8.GetBytes(name, bytes);
            bytes[length] = 0;
            return Libc.IoctlReturningFd(group, VFIO_GROUP_GET_DEVICE_FD, bytes);
        }

        /// <summary>
        /// VFIO_DEVICE_GET_GFX_DMABUF: takes a pointer to the __u32 dmabuf_id and returns a dma-buf fd
        /// owned by the caller (invalid, errno set, on failure).
        /// </summary>
        internal static SafeFdHandle GetGfxDmaBuf(SafeFdHandle device, uint dmabufId) =>
            Libc.IoctlReturningFd(device, VFIO_DEVICE_GET_GFX_DMABUF, ref dmabufId);

        /// <summary>VFIO_GROUP_SET_CONTAINER: the argument is a pointer to the container's fd number.</summary>
        internal static int GroupSetContainer(SafeFdHandle group, SafeFdHandle container)
        {
            using var borrowed = new BorrowedFd(container);
            int fd = borrowed.Value;
            return Libc.Ioctl(group, VFIO_GROUP_SET_CONTAINER, ref fd);
        }

        /// <summary>VFIO_DEVICE_BIND_IOMMUFD: binds the device cdev to an iommufd; returns 0 or -1 (errno set).</summary>
        internal static int BindIommufd(SafeFdHandle device, SafeFdHandle iommufd, out uint deviceId)
        {
            using var borrowed = new BorrowedFd(iommufd);
            var bind = new vfio_device_bind_iommufd
            {
                argsz = (uint)Marshal.SizeOf<vfio_device_bind_iommufd>(),
                iommufd = borrowed.Value,
            };
            int rc = Libc.Ioctl(device, VFIO_DEVICE_BIND_IOMMUFD, ref bind);
            deviceId = bind.out_devid;
            return rc;
        }
    }
}
