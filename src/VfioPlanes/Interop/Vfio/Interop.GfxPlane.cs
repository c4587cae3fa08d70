using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // struct vfio_device_gfx_plane_info.flags
        internal const uint VFIO_GFX_PLANE_TYPE_PROBE = 1 << 0;
        internal const uint VFIO_GFX_PLANE_TYPE_DMABUF = 1 << 1;
        internal const uint VFIO_GFX_PLANE_TYPE_REGION = 1 << 2;

        // drm_mode.h: DRM_PLANE_TYPE_* (the values the kernel's gfx plane query takes)
        internal const uint DRM_PLANE_TYPE_OVERLAY = 0;
        internal const uint DRM_PLANE_TYPE_PRIMARY = 1;
        internal const uint DRM_PLANE_TYPE_CURSOR = 2;

        // linux/vfio.h: struct vfio_device_gfx_plane_info (64 bytes on x86-64; headers before
        // 6.x leave the last 4 bytes as implicit padding after the union, newer ones name them)
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_device_gfx_plane_info
        {
            public uint argsz;           // __u32: caller sets sizeof(struct)
            public uint flags;           // __u32: VFIO_GFX_PLANE_TYPE_*
            public uint drm_plane_type;  // in: DRM_PLANE_TYPE_*
            public uint drm_format;      // out: drm fourcc
            public ulong drm_format_mod; // __aligned_u64: tiling modifier
            public uint width;           // __u32: width of plane
            public uint height;          // __u32: height of plane
            public uint stride;          // __u32: stride of plane
            public uint size;            // __u32: size of plane in bytes, page aligned
            public uint x_pos;           // __u32: horizontal position of cursor plane
            public uint y_pos;           // __u32: vertical position of cursor plane
            public uint x_hot;           // __u32: cursor hotspot, 0xFFFFFFFF when none
            public uint y_hot;           // __u32: cursor hotspot, 0xFFFFFFFF when none
            public uint dmabuf_id;       // union { __u32 region_index; __u32 dmabuf_id; }
            public uint reserved;        // __u32: padding / reserved
        }

        /// <summary>x_hot/y_hot value meaning "the cursor has no hotspot".</summary>
        internal const uint VFIO_GFX_NO_HOTSPOT = 0xFFFFFFFF;
    }
}
