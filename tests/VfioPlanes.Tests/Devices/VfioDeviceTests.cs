using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

/// <summary>
/// VfioDevice over a memfd standing in for the device file: file operations work as on a
/// device, every VFIO ioctl answers ENOTTY as an errno, and Dispose closes every handle.
/// </summary>
public class VfioDeviceTests
{
    [Fact]
    public void ReadWriteMap_UseAbsoluteOffsetsOnTheDeviceFile()
    {
        using VfioDevice device = MemfdDevice(8192, out _);
        byte[] pattern = [1, 2, 3, 4, 5];

        Assert.Equal(0, device.Write(pattern, 4096 + 10, out int written));
        Assert.Equal(5, written);
        byte[] back = new byte[5];
        Assert.Equal(0, device.Read(back, 4096 + 10, out int read));
        Assert.Equal(5, read);
        Assert.Equal(pattern, back);

        using SafeMappedRegion page = device.Map(4096, 4096, writable: false);
        Assert.Equal(pattern, page.GetSpan().Slice(10, 5).ToArray());
        Assert.Equal(0, page.GetSpan()[9]);
    }

    [Fact]
    public void Ioctls_OnANonVfioFile_ReturnEnottyWithoutThrowing()
    {
        using VfioDevice device = MemfdDevice(4096, out _);
        var info = new Interop.Vfio.vfio_device_info { argsz = 24 };
        var plane = new Interop.Vfio.vfio_device_gfx_plane_info { argsz = 64 };
        byte[] region = new byte[32];

        Assert.Equal(Errno.ENOTTY, device.GetDeviceInfo(ref info));
        Assert.Equal(Errno.ENOTTY, device.QueryGfxPlane(ref plane));
        Assert.Equal(Errno.ENOTTY, device.GetRegionInfo(region));
        Assert.Equal(Errno.EINVAL, device.GetRegionInfo(new byte[8]));
        Assert.Equal(Errno.ENOTTY, device.GetGfxDmaBuf(1, out SafeFdHandle? dmabuf));
        Assert.Null(dmabuf);
        Assert.Equal("test device", device.Name);
    }

    [Fact]
    public void Read_ClosedDevice_ThrowsObjectDisposed()
    {
        VfioDevice device = MemfdDevice(4096, out _);
        device.Dispose();

        Assert.Throws<ObjectDisposedException>(() => device.Read(new byte[4], 0, out _));
    }

    [Fact]
    public void Dispose_ClosesDeviceGroupContainerAndIommufd()
    {
        SafeFdHandle group = Interop.Libc.MemfdCreate("group", Interop.Libc.MFD_CLOEXEC);
        SafeFdHandle container = Interop.Libc.MemfdCreate("container", Interop.Libc.MFD_CLOEXEC);
        SafeFdHandle iommufd = Interop.Libc.MemfdCreate("iommufd", Interop.Libc.MFD_CLOEXEC);
        VfioDevice device = MemfdDevice(4096, out SafeFdHandle fd, group, container, iommufd);

        device.Dispose();
        device.Dispose();

        Assert.True(fd.IsClosed);
        Assert.True(group.IsClosed);
        Assert.True(container.IsClosed);
        Assert.True(iommufd.IsClosed);
    }

    private static VfioDevice MemfdDevice(long size, out SafeFdHandle fd, SafeFdHandle? group = null, SafeFdHandle? container = null, SafeFdHandle? iommufd = null)
    {
        fd = Interop.Libc.MemfdCreate("device", Interop.Libc.MFD_CLOEXEC);
        Assert.False(fd.IsInvalid);
        Assert.Equal(0, Interop.Libc.FTruncate(fd, size));
        return new VfioDevice("test device", fd, group, container, iommufd);
    }
}
