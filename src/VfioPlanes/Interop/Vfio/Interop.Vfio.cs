internal static partial class Interop
{
    /// <summary>linux/vfio.h: ioctl numbers and constants. Every VFIO ioctl is _IO(VFIO_TYPE, VFIO_BASE + n).</summary>
    internal static partial class Vfio
    {
        internal const uint VFIO_API_VERSION = 0;
        internal const uint VFIO_TYPE = ';';   // 0x3B
        internal const uint VFIO_BASE = 100;

        // _IO(type, nr) = (type << 8) | nr: no size or direction bits, the struct carries argsz.
        private const uint Base = (VFIO_TYPE << 8) | VFIO_BASE;

        internal const uint VFIO_GET_API_VERSION = Base + 0;            // 0x3B64
        internal const uint VFIO_CHECK_EXTENSION = Base + 1;            // 0x3B65
        internal const uint VFIO_SET_IOMMU = Base + 2;                  // 0x3B66
        internal const uint VFIO_GROUP_GET_STATUS = Base + 3;           // 0x3B67
        internal const uint VFIO_GROUP_SET_CONTAINER = Base + 4;        // 0x3B68
        internal const uint VFIO_GROUP_UNSET_CONTAINER = Base + 5;      // 0x3B69
        internal const uint VFIO_GROUP_GET_DEVICE_FD = Base + 6;        // 0x3B6A
        internal const uint VFIO_DEVICE_GET_INFO = Base + 7;            // 0x3B6B
        internal const uint VFIO_DEVICE_GET_REGION_INFO = Base + 8;     // 0x3B6C
        internal const uint VFIO_DEVICE_GET_IRQ_INFO = Base + 9;        // 0x3B6D
        internal const uint VFIO_DEVICE_RESET = Base + 11;              // 0x3B6F: never issued, see VfioDevice
        internal const uint VFIO_DEVICE_QUERY_GFX_PLANE = Base + 14;    // 0x3B72
        internal const uint VFIO_DEVICE_GET_GFX_DMABUF = Base + 15;     // 0x3B73
        internal const uint VFIO_DEVICE_BIND_IOMMUFD = Base + 18;       // 0x3B76
        internal const uint VFIO_DEVICE_ATTACH_IOMMUFD_PT = Base + 19;  // 0x3B77

        // VFIO_SET_IOMMU / VFIO_CHECK_EXTENSION arguments
        internal const uint VFIO_TYPE1_IOMMU = 1;
        internal const uint VFIO_TYPE1v2_IOMMU = 3;

        // struct vfio_group_status.flags
        internal const uint VFIO_GROUP_FLAGS_VIABLE = 1 << 0;
        internal const uint VFIO_GROUP_FLAGS_CONTAINER_SET = 1 << 1;

        // linux/vfio.h: struct vfio_group_status (8 bytes)
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        internal struct vfio_group_status
        {
            public uint argsz;  // __u32: sizeof(struct)
            public uint flags;  // __u32: VFIO_GROUP_FLAGS_*
        }
    }
}
