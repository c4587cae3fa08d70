using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// A simulated display-capable vGPU that answers the VFIO contract (linux/vfio.h) as the kernel's
/// providers do, with real file descriptors: the device file is a memfd holding its regions at
/// fixed offsets (region index &lt;&lt; 28), and each dma-buf is a memfd of its own (or a udmabuf made
/// from it). A built-in guest (<see cref="GuestScript"/>) advances one frame per primary query,
/// or a replay file supplies the planes. The personality decides the quirks. Like a device fd
/// driven by one frame loop, it expects its calls from one thread at a time.
/// </summary>
internal sealed class SimulatedVgpu : IVfioDevice
{
    /// <summary>Regions live at index &lt;&lt; RegionShift in the device file.</summary>
    internal const int RegionShift = 28;

    /// <summary>The region index mdpy reports for its plane: beyond num_regions, same offset as BAR0 (samples/vfio-mdev/mdpy.c).</summary>
    internal const uint MdpyDisplayRegion = 16;

    internal const uint EdidRegionIndex = 9;
    internal const uint EdidBlobOffset = 0x100;
    internal const uint EdidRegionSize = 0x1000;

    // The drivers check argsz against offsetofend(struct vfio_device_gfx_plane_info, region_index):
    // the union ends at byte 60; the last 4 bytes of the 64-byte struct are padding or "reserved".
    internal const uint MinPlaneArgsz = 60;

    // offsetofend(struct vfio_device_info, num_irqs) and offsetofend(struct vfio_region_info, offset).
    private const uint MinDeviceInfoArgsz = 16;
    private const int RegionInfoSize = 32;
    private const int CapTypeSize = 16;
    private const uint PciNumIrqs = 5; // VFIO_PCI_NUM_IRQS: INTx, MSI, MSI-X, ERR, REQ
    private const long DefaultBar0Size = 16 << 20;

    private readonly SimOptions _options;
    private readonly SimPersonality _personality;
    private readonly SafeFdHandle _deviceFd;
    private readonly SafeFdHandle? _udmabuf;
    private readonly SimRegion[] _regions;
    private readonly List<SimBuffer> _primaries = [];
    private readonly SimBuffer[] _cursors = [];
    private readonly SimBuffer[] _replayBuffers = [];
    private readonly ReplayFile? _replay;
    private readonly SortedSet<uint> _freeIds = [];
    private readonly SafeMappedRegion? _mdpyFramebuffer;
    private readonly int _mdpyStride;
    private readonly uint _edidMaxX;
    private readonly uint _edidMaxY;
    private uint _nextId = 1;
    private long _frame = -1;
    private GuestFrame _current;
    private SimMode _baseMode;
    private bool _failNextPrimary;
    private long _mdpyLastDrawn = -1;
    private int _mdpyLastBoxX;
    private int _mdpyLastBoxY;
    private uint _edidSize;
    private uint _linkState;
    private byte[] _scratch = [];
    private byte[] _background = [];
    private SimMode _backgroundMode;
    private bool _disposed;
    private bool _unplugged;

    private readonly record struct SimRegion(uint Index, long Offset, long Size, uint Flags, bool Edid);

    internal SimulatedVgpu(SimOptions options, CancellationToken cancel = default)
    {
        _options = options;
        _personality = options.Personality;
        _baseMode = options.Mode;
        Name = options.Text.Length == 0 ? "sim" : "sim:" + options.Text;
        _edidMaxX = (uint)Math.Max(2560, _baseMode.Width);
        _edidMaxY = (uint)Math.Max(1600, _baseMode.Height);

        if (_personality == SimPersonality.Replay)
        {
            _replay = ReplayFile.Load(options.ReplayPath!, cancel);
        }

        bool hasEdid = _personality is SimPersonality.Default or SimPersonality.Mbochs or SimPersonality.Gvt;
        long bar0Size = DefaultBar0Size;
        if (_personality == SimPersonality.Mdpy)
        {
            _mdpyStride = _baseMode.Width * 4;
            bar0Size = ((long)_mdpyStride * _baseMode.Height + 4095) / 4096 * 4096;
        }

        _regions = BuildRegions(bar0Size, hasEdid);
        long fileLength = _regions.Max(r => r.Offset + r.Size);

        try
        {
            // memfd names are limited to 249 bytes; a replay path can be longer, so use a fixed one.
            _deviceFd = SimBuffer.CreateMemfd("sim-device", fileLength);
            _udmabuf = OpenUdmabuf();
            if (hasEdid)
            {
                PresentEdid();
            }

            if (_personality == SimPersonality.Mdpy)
            {
                _mdpyFramebuffer = SafeMappedRegion.Map(_deviceFd, 0, bar0Size, writable: true, Name + " BAR0");
            }

            if (_options.Cursor && _personality is SimPersonality.Default or SimPersonality.Gvt)
            {
                _cursors = [CreateCursor(0), CreateCursor(1)];
            }

            if (_replay is not null)
            {
                _replayBuffers = new SimBuffer[_replay.Buffers.Count];
                for (int i = 0; i < _replayBuffers.Length; i++)
                {
                    _replayBuffers[i] = LoadReplayBuffer((uint)i + 1, _replay.Buffers[i], cancel);
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _current = GuestAt(0);

        // mbochs frees its dma-bufs when the device is closed, and its query makes the buffer for
        // a mode it has none for but answers that query with -ENOMEM (samples/vfio-mdev/mbochs.c,
        // mbochs_query_gfx_plane): the first primary query after an open fails like the first
        // after a mode change.
        _failNextPrimary = _personality == SimPersonality.Mbochs;
    }

    public string Name { get; }

    /// <summary>The last frame shown: the number of primary queries so far minus one.</summary>
    internal long CurrentFrame => _frame;

    /// <summary>The guest's normal mode (the spec's WxH, or the mode of the last EDID brought up).</summary>
    internal SimMode BaseMode => _baseMode;

    /// <summary>Buffers alive now, each holding one memfd: leak tests count the process's fds against the sim's own.</summary>
    internal int BufferCount => _primaries.Count + _cursors.Length + _replayBuffers.Length;

    /// <summary>Whether dma-bufs are made through /dev/udmabuf (real dma-bufs) rather than as memfd duplicates.</summary>
    internal bool UsesUdmabuf => _udmabuf is not null;

    /// <summary>The guest's state at <paramref name="frame"/>, as this device's script plays it.</summary>
    internal GuestFrame GuestAt(long frame) => GuestScript.At(frame, _baseMode, fixedMode: _personality == SimPersonality.Mdpy);

    /// <summary>
    /// The RGBA (R, G, B, A bytes) the primary plane shows at <paramref name="frame"/>, before any
    /// encoding. mdpy keeps showing its framebuffer while the guest has the display disabled, so
    /// there the picture of the last enabled frame (c = 99) stays.
    /// </summary>
    internal byte[] RenderPrimaryTruth(long frame, out SimMode mode)
    {
        GuestFrame f = GuestAt(frame);
        if (_personality == SimPersonality.Mdpy && !f.Enabled)
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

        // mbochs and mdpy report a plain PCI device; kvmgt (GVT-g) also supports reset.
        info.flags = VFIO_DEVICE_FLAGS_PCI | (_personality is SimPersonality.Gvt or SimPersonality.Default ? VFIO_DEVICE_FLAGS_RESET : 0);
        info.num_regions = (uint)_regions.Count(r => r.Index < VFIO_PCI_NUM_REGIONS + 1 && r.Index != MdpyDisplayRegion);
        info.num_irqs = PciNumIrqs;
        return 0;
    }

    public int GetRegionInfo(Span<byte> buffer)
    {
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (buffer.Length < RegionInfoSize)
        {
            return Errno.EINVAL;
        }

        vfio_region_info info = MemoryMarshal.Read<vfio_region_info>(buffer);
        if (info.argsz < RegionInfoSize)
        {
            return Errno.EINVAL;
        }

        if (info.argsz > buffer.Length)
        {
            // The kernel would write past what the caller gave it.
            return Errno.EFAULT;
        }

        if (_personality == SimPersonality.Mbochs && info.argsz > RegionInfoSize + CapTypeSize)
        {
            // Seen from the 6.1 mbochs sample: it takes its region info (with the EDID type
            // capability, 48 bytes) only from a caller whose argsz is at most that size, so a
            // viewer must ask with sizeof(struct vfio_region_info) and then the argsz it reports.
            return Errno.EINVAL;
        }

        if (!TryGetRegion(info.index, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        info.size = (ulong)region.Size;
        info.offset = (ulong)region.Offset;
        info.flags = region.Flags;
        info.cap_offset = 0;
        if (region.Edid)
        {
            // vfio_info_add_capability: the CAPS flag is always set; the chain follows the struct
            // when argsz leaves room for it, else argsz is raised to the size needed.
            info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
            if (info.argsz < RegionInfoSize + CapTypeSize)
            {
                info.argsz = RegionInfoSize + CapTypeSize;
            }
            else
            {
                var cap = new vfio_region_info_cap_type
                {
                    header = new vfio_info_cap_header { id = VFIO_REGION_INFO_CAP_TYPE, version = 1, next = 0 },
                    type = VFIO_REGION_TYPE_GFX,
                    subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
                };
                MemoryMarshal.Write(buffer.Slice(RegionInfoSize, CapTypeSize), in cap);
                info.cap_offset = RegionInfoSize;
            }
        }

        MemoryMarshal.Write(buffer, in info);
        return 0;
    }

    public int QueryGfxPlane(ref vfio_device_gfx_plane_info info)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_unplugged && _options.UnplugAt is long at && _frame + 1 >= at &&
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

        uint kind = _personality == SimPersonality.Mdpy ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
        if ((info.flags & VFIO_GFX_PLANE_TYPE_PROBE) != 0)
        {
            return info.flags == (VFIO_GFX_PLANE_TYPE_PROBE | kind) ? 0 : Errno.EINVAL;
        }

        if (info.flags != kind)
        {
            return Errno.EINVAL;
        }

        return _personality switch
        {
            SimPersonality.Mdpy => QueryMdpy(ref info),
            SimPersonality.Mbochs => QueryMbochs(ref info),
            SimPersonality.Gvt => QueryGvt(ref info),
            SimPersonality.Replay => QueryReplay(ref info),
            _ => QueryDefault(ref info),
        };
    }

    public int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        dmabuf = null;
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (_personality == SimPersonality.Mdpy)
        {
            // mdpy has no GET_GFX_DMABUF handler: its ioctl falls through to -ENOTTY.
            return Errno.ENOTTY;
        }

        SimBuffer? buffer = FindBuffer(dmabufId);
        if (buffer is null)
        {
            // mbochs answers an unknown id with -ENOENT, kvmgt with -EINVAL.
            return _personality == SimPersonality.Gvt ? Errno.EINVAL : Errno.ENOENT;
        }

        return buffer.Export(_udmabuf, _options.CpuMappable, out dmabuf);
    }

    public int Read(Span<byte> buffer, long offset, out int bytesRead)
    {
        bytesRead = 0;
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (!TryFindRegion(offset, buffer.Length, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        if (_personality == SimPersonality.Mdpy && region.Index == VFIO_PCI_BAR0_REGION_INDEX)
        {
            // mdpy's read copies from the start of its framebuffer whatever the offset within the
            // BAR (samples/vfio-mdev/mdpy.c, mdev_access), so consumers must mmap the region.
            offset = region.Offset;
        }

        return Interop.Libc.PRead(_deviceFd, buffer, offset, out bytesRead);
    }

    public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten)
    {
        bytesWritten = 0;
        if (Removed())
        {
            return Errno.ENODEV;
        }

        if (!TryFindRegion(offset, buffer.Length, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        if (region.Edid)
        {
            int rc = WriteEdid(buffer, offset - region.Offset);
            if (rc == 0)
            {
                bytesWritten = buffer.Length;
            }

            return rc;
        }

        return Interop.Libc.PWrite(_deviceFd, buffer, offset, out bytesWritten);
    }

    public SafeMappedRegion Map(long offset, long length, bool writable)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!TryFindRegion(offset, length, out SimRegion region) || (region.Flags & VFIO_REGION_INFO_FLAG_MMAP) == 0)
        {
            // vfio-pci and the mdev samples refuse to mmap outside a region flagged MMAP.
            throw new VfioException(Errno.EINVAL, "mmap", $"{Name} at 0x{offset:x} length {length}");
        }

        return SafeMappedRegion.Map(_deviceFd, offset, length, writable, $"{Name} region {region.Index}");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (SimBuffer b in _primaries)
        {
            b.Dispose();
        }

        _primaries.Clear();
        foreach (SimBuffer? b in _cursors)
        {
            b?.Dispose();
        }

        foreach (SimBuffer? b in _replayBuffers)
        {
            b?.Dispose();
        }

        _mdpyFramebuffer?.Dispose();
        _udmabuf?.Dispose();
        _deviceFd?.Dispose();
    }

    private int QueryDefault(ref vfio_device_gfx_plane_info info)
    {
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = Advance();
            if (!f.Enabled)
            {
                ZeroOutputs(ref info);
                return 0;
            }

            FillPrimary(ref info, DrawPrimary(f));
            return 0;
        }

        if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            if (!_current.Enabled || _cursors.Length == 0)
            {
                ZeroOutputs(ref info);
                return 0;
            }

            FillCursor(ref info, _current, hideHotspot: false);
            return 0;
        }

        return Errno.EINVAL;
    }

    private int QueryMbochs(ref vfio_device_gfx_plane_info info)
    {
        // mbochs_query_gfx_plane clears the position and hotspot fields first, and answers any
        // non-primary plane (it has no cursor) and a disabled display with zeros.
        ZeroOutputs(ref info);
        if (info.drm_plane_type != DRM_PLANE_TYPE_PRIMARY)
        {
            return 0;
        }

        GuestFrame f = Advance();
        if (!f.Enabled)
        {
            return 0;
        }

        if (f.FirstAfterModeChange || _failNextPrimary)
        {
            _failNextPrimary = false;
            return Errno.ENOMEM;
        }

        FillPrimary(ref info, DrawPrimary(f));
        return 0;
    }

    private int QueryGvt(ref vfio_device_gfx_plane_info info)
    {
        // kvmgt leaves the caller's struct as it was when the plane is disabled, so a caller that
        // does not zero it before each query reads its own stale values back.
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = Advance();
            if (f.Enabled)
            {
                FillPrimary(ref info, DrawPrimary(f));
            }

            return 0;
        }

        if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            if (_current.Enabled && _cursors.Length != 0)
            {
                FillCursor(ref info, _current, hideHotspot: _current.CursorHotspotHidden);
            }

            return 0;
        }

        return Errno.EINVAL;
    }

    private int QueryMdpy(ref vfio_device_gfx_plane_info info)
    {
        // mdpy ignores drm_plane_type: whatever is asked, it describes its one fixed framebuffer.
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            GuestFrame f = Advance();
            if (f.Enabled)
            {
                DrawInto(f, _mdpyFramebuffer!.GetSpan(), DrmFourcc.XRGB8888, DrmModifier.Linear, _mdpyStride, ref _mdpyLastDrawn, ref _mdpyLastBoxX, ref _mdpyLastBoxY);
            }
        }

        info.drm_format = DrmFourcc.XRGB8888;
        info.drm_format_mod = DrmModifier.Linear;
        info.width = (uint)_baseMode.Width;
        info.height = (uint)_baseMode.Height;
        info.stride = (uint)_mdpyStride;
        info.size = (uint)(_mdpyStride * _baseMode.Height);
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
        info.dmabuf_id = MdpyDisplayRegion;
        return 0;
    }

    private int QueryReplay(ref vfio_device_gfx_plane_info info)
    {
        ReplayFile replay = _replay!;
        ReplayPlane? plane;
        if (info.drm_plane_type == DRM_PLANE_TYPE_PRIMARY)
        {
            _frame++;
            plane = replay.Frames[(int)(_frame % replay.Frames.Count)].Primary;
        }
        else if (info.drm_plane_type == DRM_PLANE_TYPE_CURSOR)
        {
            plane = replay.Frames[(int)(Math.Max(_frame, 0) % replay.Frames.Count)].Cursor;
        }
        else
        {
            return Errno.EINVAL;
        }

        if (plane is null)
        {
            ZeroOutputs(ref info);
            return 0;
        }

        info.drm_format = plane.Fourcc;
        info.drm_format_mod = plane.Modifier;
        info.width = (uint)plane.Width;
        info.height = (uint)plane.Height;
        info.stride = (uint)plane.Stride;
        info.size = plane.Size;
        info.x_pos = unchecked((uint)plane.X);
        info.y_pos = unchecked((uint)plane.Y);
        info.x_hot = plane.HotX ?? VFIO_GFX_NO_HOTSPOT;
        info.y_hot = plane.HotY ?? VFIO_GFX_NO_HOTSPOT;
        info.dmabuf_id = (uint)plane.BufferIndex + 1;
        return 0;
    }

    private GuestFrame Advance()
    {
        _frame++;
        _current = GuestAt(_frame);
        return _current;
    }

    private static void ZeroOutputs(ref vfio_device_gfx_plane_info info)
    {
        info.drm_format = 0;
        info.drm_format_mod = 0;
        info.width = 0;
        info.height = 0;
        info.stride = 0;
        info.size = 0;
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
        info.dmabuf_id = 0;
    }

    private static void FillPrimary(ref vfio_device_gfx_plane_info info, SimBuffer b)
    {
        info.drm_format = b.Fourcc;
        info.drm_format_mod = b.Modifier;
        info.width = (uint)b.Width;
        info.height = (uint)b.Height;
        info.stride = (uint)b.Stride;
        info.size = b.Size;
        info.x_pos = 0;
        info.y_pos = 0;
        info.x_hot = 0;
        info.y_hot = 0;
        info.dmabuf_id = b.Id;
    }

    private void FillCursor(ref vfio_device_gfx_plane_info info, in GuestFrame f, bool hideHotspot)
    {
        SimBuffer b = _cursors[f.CursorShape];
        (int hx, int hy) = TestPattern.CursorHotspot(f.CursorShape);
        info.drm_format = b.Fourcc;
        info.drm_format_mod = b.Modifier;
        info.width = (uint)b.Width;
        info.height = (uint)b.Height;
        info.stride = (uint)b.Stride;
        info.size = b.Size;
        info.x_pos = unchecked((uint)f.CursorX);
        info.y_pos = unchecked((uint)f.CursorY);
        info.x_hot = hideHotspot ? VFIO_GFX_NO_HOTSPOT : (uint)hx;
        info.y_hot = hideHotspot ? VFIO_GFX_NO_HOTSPOT : (uint)hy;
        info.dmabuf_id = b.Id;
    }

    /// <summary>The buffer frame <paramref name="f"/> flips to, drawn.</summary>
    private SimBuffer DrawPrimary(in GuestFrame f)
    {
        SimBuffer b = EnsurePrimary(f);
        long last = b.LastDrawnFrame;
        int boxX = b.LastBoxX, boxY = b.LastBoxY;
        DrawInto(f, b.Pixels, b.Fourcc, b.Modifier, b.Stride, ref last, ref boxX, ref boxY);
        b.LastDrawnFrame = last;
        b.LastBoxX = boxX;
        b.LastBoxY = boxY;
        return b;
    }

    /// <summary>
    /// Renders frame <paramref name="f"/> and encodes into <paramref name="dest"/> what differs from
    /// the frame last drawn there (the box's old and new places and the counter), or all of it the
    /// first time: the background of a buffer never changes within its mode.
    /// </summary>
    private void DrawInto(in GuestFrame f, Span<byte> dest, uint fourcc, ulong modifier, int stride, ref long lastDrawn, ref int lastBoxX, ref int lastBoxY)
    {
        int w = f.Mode.Width, h = f.Mode.Height;
        if (_scratch.Length < w * h * 4)
        {
            _scratch = new byte[w * h * 4];
            _background = new byte[w * h * 4];
            _backgroundMode = default;
        }

        Span<byte> rgba = _scratch.AsSpan(0, w * h * 4);
        Span<byte> background = _background.AsSpan(0, w * h * 4);
        if (_backgroundMode != f.Mode)
        {
            TestPattern.RenderBackground(f.Mode, background);
            _backgroundMode = f.Mode;
        }

        if (lastDrawn < 0)
        {
            background.CopyTo(rgba);
            TestPattern.RenderOverlays(f, rgba);
            PixelEncoder.EncodeRect(rgba, w, 0, 0, w, h, dest, fourcc, modifier, stride);
        }
        else
        {
            // Only the two rectangles are encoded, so only they need to be exact in the scratch
            // copy: background first, then the overlays in the order the full picture has them.
            // Even columns at both ends: packed 4:2:2 formats encode pixel pairs.
            int x0 = Math.Min(lastBoxX, f.BoxX) & ~1, y0 = Math.Min(lastBoxY, f.BoxY);
            int x1 = Math.Min((Math.Max(lastBoxX, f.BoxX) + GuestScript.BoxSize + 1) & ~1, w);
            int y1 = Math.Min(Math.Max(lastBoxY, f.BoxY) + GuestScript.BoxSize, h);
            (int cx, int cy, int cw, int ch) = TestPattern.CounterRect;
            CopyRect(background, rgba, w, x0, y0, x1, y1);
            CopyRect(background, rgba, w, cx, cy, cx + cw, cy + ch);
            TestPattern.RenderOverlays(f, rgba);
            PixelEncoder.EncodeRect(rgba, w, x0, y0, x1, y1, dest, fourcc, modifier, stride);
            PixelEncoder.EncodeRect(rgba, w, cx, cy, cx + cw, cy + ch, dest, fourcc, modifier, stride);
        }

        lastDrawn = f.Frame;
        lastBoxX = f.BoxX;
        lastBoxY = f.BoxY;
    }

    private static void CopyRect(ReadOnlySpan<byte> from, Span<byte> to, int width, int x0, int y0, int x1, int y1)
    {
        for (int y = y0; y < y1; y++)
        {
            int start = (y * width + x0) * 4;
            from.Slice(start, (x1 - x0) * 4).CopyTo(to.Slice(start, (x1 - x0) * 4));
        }
    }

    /// <summary>
    /// The buffer for <paramref name="f"/>'s mode and page-flip slot, made on first use. mbochs keeps
    /// one buffer (and id) per mode for the life of the device, so ids only grow and come back with
    /// their mode; the others free the old mode's buffers when the mode changes; GVT-g then hands
    /// the freed ids out again (its idr reuses them), the well-behaved device never does.
    /// </summary>
    private SimBuffer EnsurePrimary(in GuestFrame f)
    {
        foreach (SimBuffer b in _primaries)
        {
            if (b.Width == f.Mode.Width && b.Height == f.Mode.Height && b.Shape == f.Slot)
            {
                return b;
            }
        }

        if (_personality != SimPersonality.Mbochs)
        {
            for (int i = _primaries.Count - 1; i >= 0; i--)
            {
                SimBuffer old = _primaries[i];
                if (old.Width != f.Mode.Width || old.Height != f.Mode.Height)
                {
                    _primaries.RemoveAt(i);
                    if (_personality == SimPersonality.Gvt)
                    {
                        _freeIds.Add(old.Id);
                    }

                    old.Dispose();
                }
            }
        }

        uint fourcc = _options.Fourcc;
        ulong modifier = _options.Modifier;
        int stride = PixelEncoder.StrideFor(fourcc, modifier, f.Mode.Width);
        long size = PixelEncoder.SizeFor(modifier, stride, f.Mode.Height);
        uint id = AllocateId();
        SimBuffer created = SimBuffer.Create(id, $"sim-primary-{id}", fourcc, modifier, f.Mode.Width, f.Mode.Height, stride, size, shape: f.Slot);
        _primaries.Add(created);
        return created;
    }

    private uint AllocateId()
    {
        if (_freeIds.Count > 0)
        {
            uint id = _freeIds.Min;
            _freeIds.Remove(id);
            return id;
        }

        return _nextId++;
    }

    private SimBuffer CreateCursor(int shape)
    {
        const int n = GuestScript.CursorSize;
        uint id = AllocateId();
        SimBuffer b = SimBuffer.Create(id, $"sim-cursor-{id}", DrmFourcc.ARGB8888, DrmModifier.Linear, n, n, n * 4, n * n * 4, shape);
        byte[] rgba = RenderCursorTruth(shape);
        PixelEncoder.EncodeRect(rgba, n, 0, 0, n, n, b.Pixels, DrmFourcc.ARGB8888, DrmModifier.Linear, n * 4);
        return b;
    }

    // Reads what the plane needs straight into its buffer, no more: a raw file may be far larger
    // than its plane, or a device that never ends (/dev/zero), or a FIFO.
    private static SimBuffer LoadReplayBuffer(uint id, ReplayBuffer source, CancellationToken cancel)
    {
        SimBuffer b = SimBuffer.Create(id, $"sim-replay-{id}", source.Fourcc, source.Modifier, source.Width, source.Height, source.Stride, source.Size);
        try
        {
            int got = BoundedFile.ReadInto(source.Path, b.Pixels[..(int)source.Size], "raw file", cancel);
            if (got < source.Size)
            {
                throw new InputException($"raw file '{PrintableText.Of(source.Label)}' has {got} bytes, expected at least {source.Size} (stride × height)");
            }
        }
        catch
        {
            b.Dispose();
            throw;
        }

        return b;
    }

    private SimBuffer? FindBuffer(uint id)
    {
        foreach (SimBuffer b in _primaries)
        {
            if (b.Id == id)
            {
                return b;
            }
        }

        foreach (SimBuffer b in _cursors)
        {
            if (b.Id == id)
            {
                return b;
            }
        }

        return id >= 1 && id <= _replayBuffers.Length ? _replayBuffers[id - 1] : null;
    }

    private static SafeFdHandle? OpenUdmabuf()
    {
        if (!File.Exists("/dev/udmabuf"))
        {
            return null;
        }

        SafeFdHandle fd = Interop.Libc.Open("/dev/udmabuf", Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            // Present but not ours to open (permissions): memfds serve the same pages.
            fd.Dispose();
            return null;
        }

        return fd;
    }

    private SimRegion[] BuildRegions(long bar0Size, bool hasEdid)
    {
        const uint rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        var regions = new List<SimRegion>();
        for (uint i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
        {
            long offset = (long)i << RegionShift;
            regions.Add(i switch
            {
                VFIO_PCI_BAR0_REGION_INDEX => new SimRegion(i, offset, bar0Size, rw | VFIO_REGION_INFO_FLAG_MMAP, false),
                VFIO_PCI_BAR2_REGION_INDEX => new SimRegion(i, offset, 4096, rw, false),
                VFIO_PCI_CONFIG_REGION_INDEX => new SimRegion(i, offset, 256, rw, false),
                _ => new SimRegion(i, offset, 0, 0, false),
            });
        }

        if (hasEdid)
        {
            regions.Add(new SimRegion(EdidRegionIndex, (long)EdidRegionIndex << RegionShift, EdidRegionSize, rw, true));
        }

        if (_personality == SimPersonality.Mdpy)
        {
            regions.Add(regions[0] with { Index = MdpyDisplayRegion });
        }

        return [.. regions];
    }

    private bool TryGetRegion(uint index, out SimRegion region)
    {
        foreach (SimRegion r in _regions)
        {
            if (r.Index == index)
            {
                region = r;
                return true;
            }
        }

        region = default;
        return false;
    }

    private bool TryFindRegion(long offset, long length, out SimRegion region)
    {
        foreach (SimRegion r in _regions)
        {
            if (r.Size > 0 && r.Index != MdpyDisplayRegion && offset >= r.Offset && length >= 0 && offset + length <= r.Offset + r.Size)
            {
                region = r;
                return true;
            }
        }

        region = default;
        return false;
    }

    // mbochs starts with link_state 0 and no blob, until a VMM writes one; the others present
    // what a VMM would have written for the base mode, with the link up.
    private void PresentEdid()
    {
        byte[]? blob = _personality == SimPersonality.Mbochs ? null : SimEdid.Build(_baseMode);
        if (blob is not null)
        {
            Errno.CheckIo(Interop.Libc.PWrite(_deviceFd, blob, ((long)EdidRegionIndex << RegionShift) + EdidBlobOffset), "pwrite", Name + " EDID blob");
            _edidSize = (uint)blob.Length;
            _linkState = VFIO_DEVICE_GFX_LINK_STATE_UP;
        }

        WriteEdidHeader();
    }

    private void WriteEdidHeader()
    {
        var header = new vfio_region_gfx_edid
        {
            edid_offset = EdidBlobOffset,
            edid_max_size = EdidRegionSize - EdidBlobOffset,
            edid_size = _edidSize,
            max_xres = _edidMaxX,
            max_yres = _edidMaxY,
            link_state = _linkState,
        };
        Span<byte> bytes = stackalloc byte[Marshal.SizeOf<vfio_region_gfx_edid>()];
        MemoryMarshal.Write(bytes, in header);
        Errno.CheckIo(Interop.Libc.PWrite(_deviceFd, bytes, (long)EdidRegionIndex << RegionShift), "pwrite", Name + " EDID header");
    }

    /// <summary>
    /// A write into the EDID region (linux/vfio.h, struct vfio_region_gfx_edid): edid_size and
    /// link_state are the writable fields of the header, written as whole 32-bit words; the blob
    /// goes at edid_offset. Bringing the link up with a blob whose preferred timing the device can
    /// show switches the guest to that mode, as a guest driver does on a hotplug event.
    /// </summary>
    private int WriteEdid(ReadOnlySpan<byte> buffer, long offset)
    {
        long headerSize = Marshal.SizeOf<vfio_region_gfx_edid>();
        if (offset >= EdidBlobOffset)
        {
            if (offset + buffer.Length > EdidRegionSize)
            {
                return Errno.EINVAL;
            }

            nint n = Interop.Libc.PWrite(_deviceFd, buffer, ((long)EdidRegionIndex << RegionShift) + offset);
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }

        if (offset % 4 != 0 || buffer.Length % 4 != 0 || offset + buffer.Length > headerSize)
        {
            return Errno.EINVAL;
        }

        bool linkUp = false;
        for (int i = 0; i < buffer.Length; i += 4)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice(i, 4));
            switch ((offset + i) / 4)
            {
                case 2: // edid_size
                    if (value > EdidRegionSize - EdidBlobOffset)
                    {
                        return Errno.EINVAL;
                    }

                    _edidSize = value;
                    break;
                case 5: // link_state
                    if (value is not (VFIO_DEVICE_GFX_LINK_STATE_UP or VFIO_DEVICE_GFX_LINK_STATE_DOWN))
                    {
                        return Errno.EINVAL;
                    }

                    linkUp = value == VFIO_DEVICE_GFX_LINK_STATE_UP && _linkState != VFIO_DEVICE_GFX_LINK_STATE_UP;
                    _linkState = value;
                    break;
                default:
                    // Read-only fields: rewriting the same value is harmless, changing it is not allowed.
                    if (value != ReadHeaderWord((int)((offset + i) / 4)))
                    {
                        return Errno.EINVAL;
                    }

                    break;
            }
        }

        WriteEdidHeader();
        if (linkUp)
        {
            ApplyEdid();
        }

        return 0;
    }

    private uint ReadHeaderWord(int index) => index switch
    {
        0 => EdidBlobOffset,
        1 => EdidRegionSize - EdidBlobOffset,
        3 => _edidMaxX,
        4 => _edidMaxY,
        _ => 0,
    };

    private void ApplyEdid()
    {
        byte[] blob = new byte[_edidSize];
        long at = ((long)EdidRegionIndex << RegionShift) + EdidBlobOffset;
        if (Interop.Libc.PRead(_deviceFd, blob, at) != blob.Length || !EdidBlock.TryParse(blob, out EdidBlock? edid, out _) ||
            edid!.Preferred is not { Width: > 0, Height: > 0 } preferred)
        {
            return;
        }

        var mode = new SimMode(preferred.Width, preferred.Height);

        if (mode.Width < SimOptions.MinWidth || mode.Height < SimOptions.MinHeight || mode.Width > _edidMaxX || mode.Height > _edidMaxY ||
            (PixelEncoder.IsPacked422(_options.Fourcc) && mode.Width % 2 != 0) || mode == _baseMode)
        {
            return;
        }

        _baseMode = mode;
        _current = GuestAt(Math.Max(_frame, 0));
        if (_personality == SimPersonality.Mbochs)
        {
            _failNextPrimary = true;
        }
    }
}
