using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>linux/vfio.h device cdev ioctls and linux/iommufd.h (kernels from 6.6).</summary>
    internal static partial class Vfio
    {
        // linux/vfio.h: struct vfio_device_bind_iommufd (16 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_bind_iommufd
        {
            public uint argsz;      // __u32
            public uint flags;      // __u32: must be 0
            public int iommufd;     // __s32: fd of /dev/iommu
            public uint out_devid;  // __u32: out, iommufd's id for the device
        }

        // linux/vfio.h: struct vfio_device_attach_iommufd_pt (12 bytes in the 6.6 to 6.12
        // headers). Later headers append a pasid field used only with a flag this library never
        // sets; the kernel takes any argsz from the end of pt_id on, so the short form stays valid.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_attach_iommufd_pt
        {
            public uint argsz;  // __u32
            public uint flags;  // __u32: must be 0
            public uint pt_id;  // __u32: in, IOAS or HWPT id; out, the HWPT attached
        }
    }

    internal static partial class Iommufd
    {
        // linux/iommufd.h: IOMMUFD_TYPE is ';' too, commands start at 0x80
        internal const uint IOMMUFD_TYPE = ';';
        internal const uint IOMMUFD_CMD_DESTROY = 0x80;
        internal const uint IOMMUFD_CMD_IOAS_ALLOC = 0x81;
        internal const uint IOMMU_DESTROY = (IOMMUFD_TYPE << 8) | IOMMUFD_CMD_DESTROY;      // 0x3B80
        internal const uint IOMMU_IOAS_ALLOC = (IOMMUFD_TYPE << 8) | IOMMUFD_CMD_IOAS_ALLOC; // 0x3B81

        // linux/iommufd.h: struct iommu_ioas_alloc (12 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct iommu_ioas_alloc
        {
            public uint size;        // __u32: sizeof(struct)
            public uint flags;       // __u32: must be 0
            public uint out_ioas_id; // __u32: out
        }
    }
}
