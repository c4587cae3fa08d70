using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>
/// The kernel contract of a display-capable VFIO device, at the level of its ioctls and its
/// device file. The real device (<see cref="VfioDevice"/>) and the simulated vGPU both
/// implement it, so everything above (plane query, cache, capture, GL) is shared and the
/// simulated quirks exercise the same code paths as the real ones.
/// </summary>
/// <remarks>
/// Methods return 0 or an errno rather than throwing, as the ioctls do, because several
/// errnos are expected answers (EINVAL from a probe, ENOMEM from mbochs after a mode change).
/// </remarks>
internal interface IVfioDevice : IDisposable
{
    /// <summary>For messages: "mdev 1b2c3d4e-…", "sim:mbochs", "fd:5".</summary>
    string Name { get; }

    /// <summary>VFIO_DEVICE_GET_INFO.</summary>
    int GetDeviceInfo(ref Interop.Vfio.vfio_device_info info);

    /// <summary>
    /// VFIO_DEVICE_GET_REGION_INFO. <paramref name="buffer"/> starts with a vfio_region_info whose
    /// argsz is the buffer's length and whose index is set; capabilities are written after it when
    /// they fit, and argsz is raised to the size needed when they do not.
    /// </summary>
    int GetRegionInfo(Span<byte> buffer);

    /// <summary>VFIO_DEVICE_QUERY_GFX_PLANE. The caller sets argsz, flags and drm_plane_type and zeroes the rest.</summary>
    int QueryGfxPlane(ref Interop.Vfio.vfio_device_gfx_plane_info info);

    /// <summary>VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd for <paramref name="dmabufId"/>, owned by the caller.</summary>
    int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf);

    /// <summary>pread on the device file at an absolute offset (region offset plus offset within).</summary>
    int Read(Span<byte> buffer, long offset, out int bytesRead);

    /// <summary>pwrite on the device file at an absolute offset.</summary>
    int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten);

    /// <summary>mmap of the device file at an absolute offset. Throws on failure.</summary>
    SafeMappedRegion Map(long offset, long length, bool writable);
}
