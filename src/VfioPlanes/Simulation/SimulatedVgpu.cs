using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// A simulated display-capable vGPU that answers the VFIO contract (linux/vfio.h) as the kernel's
/// providers do, with real file descriptors: the device file is a memfd holding its regions at
/// fixed offsets (<see cref="SimRegionTable"/>), and each dma-buf is a memfd of its own or a
/// udmabuf made from it (<see cref="SimBufferPool"/>). A built-in guest (<see cref="GuestScript"/>)
/// advances one frame per primary query, or a replay file supplies the planes. This class holds
/// what every driver shares (argsz and probe rules, removal, reads, writes, mmap, the EDID
/// region); the personality (<see cref="ISimPersonality"/>) answers what differs. Like a device
/// fd driven by one frame loop, it expects its calls from one thread at a time.
/// </summary>
internal sealed class SimulatedVgpu : IVfioDevice
{
    // The drivers check argsz against offsetofend(struct vfio_device_gfx_plane_info, region_index):
    // the union ends at byte 60; the last 4 bytes of the 64-byte struct are padding or "reserved".
    internal const uint MinPlaneArgsz = 60;

    // offsetofend(struct vfio_device_info, num_irqs).
    private const uint MinDeviceInfoArgsz = 16;
    private const uint PciNumIrqs = 5; // VFIO_PCI_NUM_IRQS: INTx, MSI, MSI-X, ERR, REQ

    // The largest mode an EDID may bring up, unless the spec's mode is larger.
    private const int EdidMaxWidth = 2560;
    private const int EdidMaxHeight = 1600;

    private readonly SimOptions _options;
    private readonly ISimPersonality _personality;
    private readonly SimGuest _guest;
    private readonly SimRegionTable _regions;
    private readonly SimBufferPool? _pool;
    private readonly SafeFdHandle? _deviceFd;
    private readonly SimEdidRegion? _edid;
    private bool _disposed;
    private bool _unplugged;

    internal SimulatedVgpu(SimOptions options, CancellationToken cancel = default)
    {
        _options = options;
        Name = options.Text.Length == 0 ? "sim" : "sim:" + options.Text;
        _personality = ISimPersonality.For(options, cancel);
        _guest = new SimGuest(options.Mode, _personality.FixedMode);
        _regions = new SimRegionTable(
            _personality.Bar0Size, _personality.EdidLayout is not null, _personality.DisplayRegion, _personality.ConfigSpaceSize, _personality.EdidLayout?.ReportedSize ?? SimEdidRegion.Size);

        try
        {
            // memfd names are limited to 249 bytes; a replay path can be longer, so use a fixed one.
            _deviceFd = SimBuffer.CreateMemfd("sim-device", _regions.FileLength);
            _pool = new SimBufferPool(options.CpuMappable);
            if (_personality.EdidLayout is SimEdidLayout layout)
            {
                _edid = new SimEdidRegion(
                    _deviceFd, Name, layout, (uint)Math.Max(EdidMaxWidth, options.Mode.Width), (uint)Math.Max(EdidMaxHeight, options.Mode.Height));
                _edid.Present(_personality.EdidAtOpen(options.Mode));
            }

            _personality.Start(new SimParts(options, _guest, _pool, new GuestPainter(), _deviceFd, Name), cancel);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The last frame shown: the number of primary queries so far minus one.</summary>
    internal long CurrentFrame => _guest.Frame;

    /// <summary>The guest's normal mode (the spec's WxH, or the mode of the last EDID brought up).</summary>
    internal SimMode BaseMode => _guest.BaseMode;

    /// <summary>Buffers alive now, each holding one memfd: leak tests count the process's fds against the sim's own.</summary>
    internal int BufferCount => _pool?.Count ?? 0;

    /// <summary>Whether dma-bufs are made through /dev/udmabuf (real dma-bufs) rather than as memfd duplicates.</summary>
    internal bool UsesUdmabuf => _pool?.UsesUdmabuf ?? false;

    /// <summary>The guest's state at <paramref name="frame"/>, as this device's script plays it.</summary>
    internal GuestFrame GuestAt(long frame) => _guest.At(frame);

    /// <summary>
    /// The RGBA (R, G, B, A bytes) the primary plane shows at <paramref name="frame"/>, before any
    /// encoding. A device that keeps showing its framebuffer while the guest has the display
    /// disabled (mdpy) shows there the picture of the last enabled frame.
    /// </summary>
    internal byte[] RenderPrimaryTruth(long frame, out SimMode mode)
    {
        GuestFrame f = GuestAt(frame);
        if (_personality.KeepsPictureWhileDisabled && !f.Enabled)
        {
            f = GuestAt(frame - (frame % GuestScript.CycleLength - (GuestScript.DisabledStart - 1)));
        }

        mode = f.Mode;
        byte[] rgba = new byte[f.Mode.Width * f.Mode.Height * 4];
        TestPattern.RenderPrimary(f, rgba);
        return rgba;
    }

    /// <summary>The RGBA of cursor <paramref name="shape"/> (64x64), before encoding as ARGB8888.</summary>
    internal static byte[] RenderCursorTruth(int shape)
    {
        byte[] rgba = new byte[GuestScript.CursorSize * GuestScript.CursorSize * 4];
        TestPattern.RenderCursor(shape, rgba);
        return rgba;
    }

    // Every call on a disposed device throws, as on a closed fd; on a removed one it fails with
    // ENODEV, as an mdev's does after a write to its "remove" file.
    private bool Removed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _unplugged;
    }

    public int GetDeviceInfo(ref vfio_device_info info)
    {
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (info.argsz < MinDeviceInfoArgsz)
        {
            return Errno.EINVAL;
        }

        info.flags = _personality.DeviceFlags;
        info.num_regions = _regions.DeviceRegionCount;
        info.num_irqs = PciNumIrqs;
        return 0;
    }

    public int GetRegionInfo(Span<byte> buffer) =>
        Removed() ? Errno.ENODEV : _regions.GetInfo(buffer, _personality.MaxRegionInfoArgsz);

    public int QueryGfxPlane(ref vfio_device_gfx_plane_info info)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_unplugged && _options.UnplugAt is long at && _guest.Frame + 1 >= at &&
            (info.flags & VFIO_GFX_PLANE_TYPE_PROBE) == 0 && info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            // The frame the script removes the device at: from here on it is gone, as an mdev
            // is after a write to its "remove" file.
            _unplugged = true;
        }

        if (_unplugged)
        {
            return Errno.ENODEV;
        }

        if (info.argsz < MinPlaneArgsz)
        {
            return Errno.EINVAL;
        }

        uint kind = _personality.PlaneKind;
        if ((info.flags & VFIO_GFX_PLANE_TYPE_PROBE) != 0)
        {
            return info.flags == (VFIO_GFX_PLANE_TYPE_PROBE | kind) ? 0 : Errno.EINVAL;
        }

        return info.flags != kind ? Errno.EINVAL : _personality.Query(ref info);
    }

    public int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        dmabuf = null;
        return Removed() ? Errno.ENODEV : _personality.GetDmaBuf(dmabufId, out dmabuf);
    }

    public int Read(Span<byte> buffer, long offset, out int bytesRead)
    {
        bytesRead = 0;
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (!_regions.TryFind(offset, buffer.Length, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        if (region.Edid && _edid!.CheckRead(offset - region.Offset, buffer.Length) is int refused and not 0)
        {
            return refused;
        }

        return Interop.Libc.PRead(_deviceFd!, buffer, _personality.ReadOffset(region, offset), out bytesRead);
    }

    public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten)
    {
        bytesWritten = 0;
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (!_regions.TryFind(offset, buffer.Length, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        if (region.Edid)
        {
            int rc = _edid!.Write(buffer, offset - region.Offset, out SimMode? linked);
            if (rc == 0)
            {
                bytesWritten = buffer.Length;
                if (linked is SimMode mode)
                {
                    BringUp(mode);
                }
            }

            return rc;
        }

        return Interop.Libc.PWrite(_deviceFd!, buffer, offset, out bytesWritten);
    }

    public SafeMappedRegion Map(long offset, long length, bool writable)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_regions.TryFind(offset, length, out SimRegion region) || (region.Flags & VFIO_REGION_INFO_FLAG_MMAP) == 0)
        {
            // vfio-pci and the mdev samples refuse to mmap outside a region flagged MMAP.
            throw new VfioException(Errno.EINVAL, "mmap", $"{Name} at 0x{offset:x} length {length}");
        }

        return SafeMappedRegion.Map(_deviceFd!, offset, length, writable, $"{Name} region {region.Index}");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pool?.Dispose();
        _personality.Dispose();
        _deviceFd?.Dispose();
    }

    // An EDID brought up whose preferred timing the device can show switches the guest to that
    // mode, as a guest driver does on a hotplug event.
    private void BringUp(SimMode mode)
    {
        if (mode.Width < SimOptions.MinWidth || mode.Height < SimOptions.MinHeight || mode.Width > _edid!.MaxX || mode.Height > _edid.MaxY ||
            (PixelEncoder.IsPacked422(_options.Fourcc) && mode.Width % 2 != 0) || mode == _guest.BaseMode)
        {
            return;
        }

        _guest.ChangeMode(mode);
        _personality.ModeChanged();
    }
}
