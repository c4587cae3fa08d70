using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>
/// A VFIO device opened through the kernel: the device fd, and whatever keeps its IOMMU
/// context alive (the group and container of the legacy interface, or the iommufd of the
/// device cdev). Closing the group or iommufd first would detach the device, so they are
/// kept open here and closed after the device fd.
/// </summary>
/// <remarks>
/// This class never issues VFIO_DEVICE_RESET: a viewer attaches to a device a guest (or a
/// driver test) is using, and resetting it would blank the display it came to show. Nothing
/// here writes to the device except what a caller writes through <see cref="Write"/>.
/// </remarks>
internal sealed class VfioDevice : IVfioDevice
{
    private readonly SafeFdHandle _device;
    private readonly SafeFdHandle? _group;
    private readonly SafeFdHandle? _container;
    private readonly SafeFdHandle? _iommufd;

    /// <summary>Takes ownership of every handle passed.</summary>
    internal VfioDevice(string name, SafeFdHandle device, SafeFdHandle? group = null, SafeFdHandle? container = null, SafeFdHandle? iommufd = null)
    {
        Name = name;
        _device = device;
        _group = group;
        _container = container;
        _iommufd = iommufd;
    }

    public string Name { get; }

    public int GetDeviceInfo(ref vfio_device_info info) =>
        Result(Interop.Libc.Ioctl(_device, VFIO_DEVICE_GET_INFO, ref info));

    public int GetRegionInfo(Span<byte> buffer)
    {
        if (buffer.Length < Marshal.SizeOf<vfio_region_info>())
        {
            return Errno.EINVAL;
        }

        return Result(Interop.Libc.Ioctl(_device, VFIO_DEVICE_GET_REGION_INFO, buffer));
    }

    public int QueryGfxPlane(ref vfio_device_gfx_plane_info info) =>
        Result(Interop.Libc.Ioctl(_device, VFIO_DEVICE_QUERY_GFX_PLANE, ref info));

    public int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        SafeFdHandle fd = Interop.Vfio.GetGfxDmaBuf(_device, dmabufId);
        if (fd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            dmabuf = null;
            return errno;
        }

        dmabuf = fd;
        return 0;
    }

    public int Read(Span<byte> buffer, long offset, out int bytesRead) =>
        Interop.Libc.PRead(_device, buffer, offset, out bytesRead);

    public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten) =>
        Interop.Libc.PWrite(_device, buffer, offset, out bytesWritten);

    public SafeMappedRegion Map(long offset, long length, bool writable) =>
        SafeMappedRegion.Map(_device, offset, length, writable, $"{Name} at offset 0x{offset:X}");

    public void Dispose()
    {
        // The device first: its release (vfio_df_close) needs the group or iommufd binding
        // still in place; then the group, which detaches from the container, then the rest.
        _device.Dispose();
        _group?.Dispose();
        _container?.Dispose();
        _iommufd?.Dispose();
    }

    // Reads errno straight after the failed call, before anything else can overwrite it.
    private static int Result(int rc) => rc < 0 ? Marshal.GetLastPInvokeError() : 0;
}
