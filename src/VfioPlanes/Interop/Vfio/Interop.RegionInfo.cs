using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // struct vfio_region_info.flags
        internal const uint VFIO_REGION_INFO_FLAG_READ = 1 << 0;
        internal const uint VFIO_REGION_INFO_FLAG_WRITE = 1 << 1;
        internal const uint VFIO_REGION_INFO_FLAG_MMAP = 1 << 2;
        internal const uint VFIO_REGION_INFO_FLAG_CAPS = 1 << 3;

        // capability ids in the region info chain
        internal const ushort VFIO_REGION_INFO_CAP_SPARSE_MMAP = 1;
        internal const ushort VFIO_REGION_INFO_CAP_TYPE = 2;

        // struct vfio_region_info_cap_type: type/subtype values
        internal const uint VFIO_REGION_TYPE_PCI_VENDOR_TYPE = 1u << 31;
        internal const uint VFIO_REGION_TYPE_GFX = 1;
        internal const uint VFIO_REGION_SUBTYPE_GFX_EDID = 1;

        // vfio-pci fixed region indexes (enum VFIO_PCI_*_REGION_INDEX)
        internal const uint VFIO_PCI_BAR0_REGION_INDEX = 0;
        internal const uint VFIO_PCI_BAR2_REGION_INDEX = 2;
        internal const uint VFIO_PCI_ROM_REGION_INDEX = 6;
        internal const uint VFIO_PCI_CONFIG_REGION_INDEX = 7;
        internal const uint VFIO_PCI_VGA_REGION_INDEX = 8;
        internal const uint VFIO_PCI_NUM_REGIONS = 9;

        // linux/vfio.h: struct vfio_region_info (32 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info
        {
            public uint argsz;        // __u32: sizeof(struct), or more to receive caps
            public uint flags;        // __u32: VFIO_REGION_INFO_FLAG_*
            public uint index;        // __u32: in, region index
            public uint cap_offset;   // __u32: offset within info struct of first cap
            public ulong size;        // __aligned_u64: region size (bytes)
            public ulong offset;      // __aligned_u64: region offset from start of device fd
        }

        // linux/vfio.h: struct vfio_info_cap_header (8 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_info_cap_header
        {
            public ushort id;       // __u16: identifies capability
            public ushort version;  // __u16: version specific to the capability ID
            public uint next;       // __u32: offset of next capability, 0 ends the chain
        }

        // linux/vfio.h: struct vfio_region_info_cap_type (16 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info_cap_type
        {
            public vfio_info_cap_header header;
            public uint type;     // __u32: global per bus driver
            public uint subtype;  // __u32: type specific
        }

        // linux/vfio.h: struct vfio_region_sparse_mmap_area (16 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_sparse_mmap_area
        {
            public ulong offset;  // __aligned_u64: offset of mmap'able area within region
            public ulong size;    // __aligned_u64: size of mmap'able area
        }

        // linux/vfio.h: struct vfio_region_info_cap_sparse_mmap (16 bytes + areas[])
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_info_cap_sparse_mmap
        {
            public vfio_info_cap_header header;
            public uint nr_areas;  // __u32
            public uint reserved;  // __u32
            // struct vfio_region_sparse_mmap_area areas[] follows
        }
    }
}
