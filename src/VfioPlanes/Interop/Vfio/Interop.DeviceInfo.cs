using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // struct vfio_device_info.flags
        internal const uint VFIO_DEVICE_FLAGS_RESET = 1 << 0;
        internal const uint VFIO_DEVICE_FLAGS_PCI = 1 << 1;
        internal const uint VFIO_DEVICE_FLAGS_PLATFORM = 1 << 2;
        internal const uint VFIO_DEVICE_FLAGS_AMBA = 1 << 3;
        internal const uint VFIO_DEVICE_FLAGS_CCW = 1 << 4;
        internal const uint VFIO_DEVICE_FLAGS_AP = 1 << 5;
        internal const uint VFIO_DEVICE_FLAGS_FSL_MC = 1 << 6;
        internal const uint VFIO_DEVICE_FLAGS_CAPS = 1 << 7;

        // linux/vfio.h: struct vfio_device_info (24 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_info
        {
            public uint argsz;        // __u32: sizeof(struct), or more to receive caps
            public uint flags;        // __u32: VFIO_DEVICE_FLAGS_*
            public uint num_regions;  // __u32: max region index + 1
            public uint num_irqs;     // __u32: max IRQ index + 1
            public uint cap_offset;   // __u32: offset within info struct of first cap
            public uint pad;          // __u32: size of the struct is 8-aligned on some headers
        }
    }
}
