using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>Calls on the simulated vGPU through IVfioDevice only, as a consumer makes them.</summary>
internal static class SimTestSupport
{
    public const uint Primary = DRM_PLANE_TYPE_PRIMARY;
    public const uint Cursor = DRM_PLANE_TYPE_CURSOR;

    public static SimulatedVgpu Open(string options) => (SimulatedVgpu)SimulatedDevices.Open(options);

    /// <summary>One query with the struct zeroed, as the plane layer issues it.</summary>
    public static int Query(IVfioDevice device, uint planeType, out vfio_device_gfx_plane_info info, uint flags = VFIO_GFX_PLANE_TYPE_DMABUF)
    {
        info = new vfio_device_gfx_plane_info { argsz = 64, flags = flags, drm_plane_type = planeType };
        return device.QueryGfxPlane(ref info);
    }

    /// <summary>Queries the primary plane <paramref name="count"/> times (advancing the guest), asserting success or ENOMEM.</summary>
    public static void Skip(IVfioDevice device, int count, uint flags = VFIO_GFX_PLANE_TYPE_DMABUF)
    {
        for (int i = 0; i < count; i++)
        {
            int rc = Query(device, Primary, out _, flags);
            Assert.True(rc is 0 or Errno.ENOMEM, $"query {i} returned {Errno.Name(rc)}");
        }
    }

    /// <summary>The bytes of a dma-buf the device hands out for <paramref name="id"/>, read through mmap.</summary>
    public static byte[] ReadDmaBuf(IVfioDevice device, uint id, int length)
    {
        Assert.Equal(0, device.GetGfxDmaBuf(id, out SafeFdHandle? fd));
        using (fd)
        {
            using SafeMappedRegion map = SafeMappedRegion.Map(fd!, 0, (length + 4095) / 4096 * 4096, writable: false, "test dma-buf");
            return map.GetSpan()[..length].ToArray();
        }
    }

    /// <summary>Where /proc/self/fd/N points: "/memfd:name (deleted)", "anon_inode:dmabuf" or "/dmabuf:".</summary>
    public static string FdTarget(SafeFdHandle fd) => new FileInfo($"/proc/self/fd/{fd.Number}").LinkTarget ?? string.Empty;

    public static uint Signed(int v) => unchecked((uint)v);

    /// <summary>Region info with an argsz of <paramref name="argsz"/> bytes.</summary>
    public static int RegionInfo(IVfioDevice device, uint index, uint argsz, out vfio_region_info info, out byte[] buffer)
    {
        buffer = new byte[argsz];
        var request = new vfio_region_info { argsz = argsz, index = index };
        MemoryMarshal.Write(buffer, in request);
        int rc = device.GetRegionInfo(buffer);
        info = MemoryMarshal.Read<vfio_region_info>(buffer);
        return rc;
    }
}
