using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        internal const uint VFIO_DEVICE_GFX_LINK_STATE_UP = 1;
        internal const uint VFIO_DEVICE_GFX_LINK_STATE_DOWN = 2;

        // linux/vfio.h: struct vfio_region_gfx_edid (24 bytes), at offset 0 of the EDID region.
        // Protocol: link_state DOWN, write the blob at edid_offset and edid_size, link_state UP.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_region_gfx_edid
        {
            public uint edid_offset;    // __u32: blob location, relative to the region (read-only)
            public uint edid_max_size;  // __u32: max blob size (read-only)
            public uint edid_size;      // __u32: actual blob size (read/write)
            public uint max_xres;       // __u32: max display width, 0 = no limit (read-only)
            public uint max_yres;       // __u32: max display height, 0 = no limit (read-only)
            public uint link_state;     // __u32: VFIO_DEVICE_GFX_LINK_STATE_* (read/write)
        }
    }
}
