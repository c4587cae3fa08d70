extern alias vfioplanes;

using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.Viewer.Tests;

/// <summary>
/// A device that passes every call to <paramref name="inner"/>: tests derive from it and
/// override the one answer they change (a failing query, a rewritten modifier, a device kept open).
/// </summary>
internal abstract class DelegatingVfioDevice(IVfioDevice inner) : IVfioDevice
{
    protected IVfioDevice Inner { get; } = inner;

    public virtual string Name => Inner.Name;

    public virtual int GetDeviceInfo(ref vfioplanes::Interop.Vfio.vfio_device_info info) => Inner.GetDeviceInfo(ref info);

    public virtual int GetRegionInfo(Span<byte> buffer) => Inner.GetRegionInfo(buffer);

    public virtual int QueryGfxPlane(ref vfioplanes::Interop.Vfio.vfio_device_gfx_plane_info info) => Inner.QueryGfxPlane(ref info);

    public virtual int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf) => Inner.GetGfxDmaBuf(dmabufId, out dmabuf);

    public virtual int Read(Span<byte> buffer, long offset, out int bytesRead) => Inner.Read(buffer, offset, out bytesRead);

    public virtual int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten) => Inner.Write(buffer, offset, out bytesWritten);

    public virtual SafeMappedRegion Map(long offset, long length, bool writable) => Inner.Map(offset, length, writable);

    public virtual void Dispose() => Inner.Dispose();
}
