using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests;

/// <summary>
/// Sizes and offsets written down from linux/vfio.h by hand; the ABI test checks the same
/// against the machine's header with a C compiler.
/// </summary>
public class StructLayoutTests
{
    [Fact]
    public void GfxPlaneInfo_MatchesHeaderLayout()
    {
        Assert.Equal(64, Unsafe.SizeOf<vfio_device_gfx_plane_info>());
        Assert.Equal(16, (int)Marshal.OffsetOf<vfio_device_gfx_plane_info>(nameof(vfio_device_gfx_plane_info.drm_format_mod)));
        Assert.Equal(56, (int)Marshal.OffsetOf<vfio_device_gfx_plane_info>(nameof(vfio_device_gfx_plane_info.dmabuf_id)));
    }

    [Fact]
    public void DisplayIoctlNumbers_AreIoSemicolonPlus114And115()
    {
        Assert.Equal(0x3B72u, VFIO_DEVICE_QUERY_GFX_PLANE);
        Assert.Equal(0x3B73u, VFIO_DEVICE_GET_GFX_DMABUF);
    }

    [Fact]
    public void Statx_MatchesHeaderLayout()
    {
        // The statx(2) buffer is Tmds.LibC's. linux/stat.h: struct statx is 256 bytes on every
        // architecture; __u32 stx_gid is at 24 and __u16 stx_mode follows it, after __u32 mask,
        // __u32 blksize, __u64 attributes, __u32 nlink and uid.
        Assert.Equal(256, Unsafe.SizeOf<Tmds.Linux.statx>());
        Assert.Equal(24, (int)Marshal.OffsetOf<Tmds.Linux.statx>(nameof(Tmds.Linux.statx.stx_gid)));
        Assert.Equal(28, (int)Marshal.OffsetOf<Tmds.Linux.statx>(nameof(Tmds.Linux.statx.stx_mode)));

        // Then __u16 __spare0, __u64 stx_ino, __u64 stx_size.
        Assert.Equal(40, (int)Marshal.OffsetOf<Tmds.Linux.statx>(nameof(Tmds.Linux.statx.stx_size)));
    }
}
