using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Fakes;

/// <summary>A region the fake answers VFIO_DEVICE_GET_REGION_INFO for, the way the kernel lays it out.</summary>
internal sealed class FakeRegion
{
    public uint Flags { get; init; } = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;

    public ulong Size { get; init; }

    public ulong Offset { get; init; }

    /// <summary>The capability chain as it follows the 32-byte struct; offsets inside are absolute (from the struct's start).</summary>
    public byte[] Caps { get; init; } = [];

    /// <summary>When set, copied into the caller's buffer verbatim (argsz included): for malformed answers.</summary>
    public byte[]? Raw { get; init; }
}

/// <summary>
/// A scriptable IVfioDevice. Dma-bufs are real fds (memfds filled with a known pattern), the
/// device file is a memfd, and every answer can be set or made to fail.
/// </summary>
internal sealed class FakeVfioDevice : IVfioDevice
{
    private readonly Dictionary<PlaneType, vfio_device_gfx_plane_info?> _planes = [];
    private SafeFdHandle? _deviceFile;

    public string Name { get; set; } = "fake";

    public bool SupportsDmaBuf { get; set; } = true;

    public bool SupportsRegion { get; set; }

    /// <summary>When not 0, both probes fail with this errno.</summary>
    public int ProbeErrno { get; set; }

    /// <summary>GVT-g: a disabled plane answers the struct exactly as it was sent.</summary>
    public bool EchoWhenDisabled { get; set; }

    public vfio_device_info DeviceInfo { get; set; } = new() { flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, num_regions = 9, num_irqs = 5 };

    public Dictionary<uint, FakeRegion> Regions { get; } = [];

    /// <summary>Errnos the next queries of a plane return, one per query, before answering normally.</summary>
    public Dictionary<PlaneType, Queue<int>> QueryErrors { get; } = new() { [PlaneType.Primary] = new(), [PlaneType.Cursor] = new() };

    /// <summary>Errnos the next GET_GFX_DMABUF calls return.</summary>
    public Queue<int> DmaBufErrors { get; } = new();

    /// <summary>Makes every dma-buf fd something mmap refuses (a procfs file: ENODEV).</summary>
    public bool UnmappableDmaBufs { get; set; }

    public long DeviceFileSize { get; set; } = 1 << 20;

    public int ProbeCount { get; private set; }

    public int QueryCount { get; private set; }

    public int GetDmaBufCount { get; private set; }

    public int RegionInfoCount { get; private set; }

    /// <summary>The struct of the last plane query as it was sent.</summary>
    public vfio_device_gfx_plane_info LastSent { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>The byte the fake puts at offset <paramref name="i"/> of the dma-buf <paramref name="id"/>.</summary>
    public static byte PatternByte(uint id, long i) => (byte)((i * 7) + (id * 13) + 1);

    public static vfio_device_gfx_plane_info Plane(
        uint id, uint width = 640, uint height = 480, uint fourcc = DrmFourcc.XRGB8888, uint? stride = null, uint? size = null,
        ulong modifier = DrmModifier.Linear, int x = 0, int y = 0, uint hotX = VFIO_GFX_NO_HOTSPOT, uint hotY = VFIO_GFX_NO_HOTSPOT)
    {
        uint s = stride ?? width * 4;
        return new vfio_device_gfx_plane_info
        {
            drm_format = fourcc,
            drm_format_mod = modifier,
            width = width,
            height = height,
            stride = s,
            size = size ?? s * height,
            x_pos = unchecked((uint)x),
            y_pos = unchecked((uint)y),
            x_hot = hotX,
            y_hot = hotY,
            dmabuf_id = id,
        };
    }

    /// <summary>What the device answers for <paramref name="plane"/>; null = disabled.</summary>
    public void SetPlane(PlaneType plane, vfio_device_gfx_plane_info? answer) => _planes[plane] = answer;

    public int GetDeviceInfo(ref vfio_device_info info)
    {
        uint argsz = info.argsz;
        info = DeviceInfo;
        info.argsz = argsz;
        return 0;
    }

    public int GetRegionInfo(Span<byte> buffer)
    {
        RegionInfoCount++;
        var asked = MemoryMarshal.Read<vfio_region_info>(buffer);
        if (!Regions.TryGetValue(asked.index, out FakeRegion? region))
        {
            return Errno.EINVAL;
        }

        if (region.Raw is not null)
        {
            buffer.Clear();
            region.Raw.AsSpan(0, Math.Min(region.Raw.Length, buffer.Length)).CopyTo(buffer);
            return 0;
        }

        int fixedSize = Unsafe.SizeOf<vfio_region_info>();
        var answer = new vfio_region_info { argsz = asked.argsz, flags = region.Flags, index = asked.index, size = region.Size, offset = region.Offset };
        if (region.Caps.Length > 0)
        {
            // As vfio-pci does: caps that do not fit raise argsz and leave cap_offset 0.
            answer.flags |= VFIO_REGION_INFO_FLAG_CAPS;
            if (buffer.Length < fixedSize + region.Caps.Length)
            {
                answer.argsz = (uint)(fixedSize + region.Caps.Length);
            }
            else
            {
                answer.cap_offset = (uint)fixedSize;
                region.Caps.CopyTo(buffer[fixedSize..]);
            }
        }

        MemoryMarshal.Write(buffer, in answer);
        return 0;
    }

    public int QueryGfxPlane(ref vfio_device_gfx_plane_info info)
    {
        if ((info.flags & VFIO_GFX_PLANE_TYPE_PROBE) != 0)
        {
            ProbeCount++;
            if (ProbeErrno != 0)
            {
                return ProbeErrno;
            }

            bool dmabuf = (info.flags & VFIO_GFX_PLANE_TYPE_DMABUF) != 0;
            return (dmabuf ? SupportsDmaBuf : SupportsRegion) ? 0 : Errno.EINVAL;
        }

        QueryCount++;
        LastSent = info;
        var plane = (PlaneType)info.drm_plane_type;
        if (QueryErrors.TryGetValue(plane, out Queue<int>? errors) && errors.TryDequeue(out int errno))
        {
            return errno;
        }

        if (_planes.TryGetValue(plane, out vfio_device_gfx_plane_info? answer) && answer is { } a)
        {
            a.argsz = info.argsz;
            a.flags = info.flags;
            a.drm_plane_type = info.drm_plane_type;
            info = a;
            return 0;
        }

        if (!EchoWhenDisabled)
        {
            info = new vfio_device_gfx_plane_info { argsz = info.argsz, flags = info.flags, drm_plane_type = info.drm_plane_type };
        }

        return 0;
    }

    public int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        GetDmaBufCount++;
        dmabuf = null;
        if (DmaBufErrors.TryDequeue(out int errno))
        {
            return errno;
        }

        if (UnmappableDmaBufs)
        {
            dmabuf = Interop.Libc.Open("/proc/self/stat", Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC);
            return 0;
        }

        long size = 4096;
        foreach (vfio_device_gfx_plane_info? p in _planes.Values)
        {
            if (p is { } plane && plane.dmabuf_id == dmabufId)
            {
                size = Math.Max(size, plane.size);
            }
        }

        SafeFdHandle fd = Interop.Libc.MemfdCreate($"fake-dmabuf-{dmabufId}", Interop.Libc.MFD_CLOEXEC);
        if (fd.IsInvalid || Interop.Libc.FTruncate(fd, size) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            fd.Dispose();
            return error;
        }

        using (SafeMappedRegion map = SafeMappedRegion.Map(fd, 0, size, writable: true, "fake dma-buf"))
        {
            Span<byte> bytes = map.GetSpan();
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = PatternByte(dmabufId, i);
            }
        }

        dmabuf = fd;
        return 0;
    }

    public int Read(Span<byte> buffer, long offset, out int bytesRead)
    {
        nint n = Interop.Libc.PRead(DeviceFile, buffer, offset);
        bytesRead = (int)Math.Max(n, 0);
        return n < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    /// <summary>Every write, in order: where and how many bytes.</summary>
    public List<(long Offset, int Length)> Writes { get; } = [];

    /// <summary>Every write, in order: where, the bytes, and when (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public List<(long Offset, byte[] Bytes, long Timestamp)> WriteLog { get; } = [];

    public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten)
    {
        Writes.Add((offset, buffer.Length));
        WriteLog.Add((offset, buffer.ToArray(), System.Diagnostics.Stopwatch.GetTimestamp()));
        nint n = Interop.Libc.PWrite(DeviceFile, buffer, offset);
        bytesWritten = (int)Math.Max(n, 0);
        return n < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    public SafeMappedRegion Map(long offset, long length, bool writable) =>
        SafeMappedRegion.Map(DeviceFile, offset, length, writable, Name + " device file");

    public void Dispose()
    {
        Disposed = true;
        _deviceFile?.Dispose();
        _deviceFile = null;
    }

    /// <summary>The device file (a memfd), made on first use.</summary>
    public SafeFdHandle DeviceFile
    {
        get
        {
            if (_deviceFile is null)
            {
                _deviceFile = Interop.Libc.MemfdCreate("fake-device-file", Interop.Libc.MFD_CLOEXEC);
                if (_deviceFile.IsInvalid || Interop.Libc.FTruncate(_deviceFile, DeviceFileSize) != 0)
                {
                    throw new InvalidOperationException("memfd for the fake device file: errno " + Marshal.GetLastPInvokeError());
                }
            }

            return _deviceFile;
        }
    }

    public VgpuDevice Open() => new(this, "fake");
}

/// <summary>Builds capability chains byte by byte, as linux/vfio.h lays them out.</summary>
internal static class CapBytes
{
    /// <summary>struct vfio_region_info_cap_type (16 bytes).</summary>
    public static byte[] Type(uint next, uint type, uint subtype)
    {
        byte[] b = new byte[16];
        BitConverter.TryWriteBytes(b.AsSpan(0), (ushort)VFIO_REGION_INFO_CAP_TYPE);
        BitConverter.TryWriteBytes(b.AsSpan(2), (ushort)1);
        BitConverter.TryWriteBytes(b.AsSpan(4), next);
        BitConverter.TryWriteBytes(b.AsSpan(8), type);
        BitConverter.TryWriteBytes(b.AsSpan(12), subtype);
        return b;
    }

    /// <summary>struct vfio_region_info_cap_sparse_mmap with its areas; <paramref name="nrAreas"/> may lie.</summary>
    public static byte[] Sparse(uint next, (ulong Offset, ulong Size)[] areas, uint? nrAreas = null)
    {
        byte[] b = new byte[16 + (16 * areas.Length)];
        BitConverter.TryWriteBytes(b.AsSpan(0), (ushort)VFIO_REGION_INFO_CAP_SPARSE_MMAP);
        BitConverter.TryWriteBytes(b.AsSpan(2), (ushort)1);
        BitConverter.TryWriteBytes(b.AsSpan(4), next);
        BitConverter.TryWriteBytes(b.AsSpan(8), nrAreas ?? (uint)areas.Length);
        for (int i = 0; i < areas.Length; i++)
        {
            BitConverter.TryWriteBytes(b.AsSpan(16 + (16 * i)), areas[i].Offset);
            BitConverter.TryWriteBytes(b.AsSpan(24 + (16 * i)), areas[i].Size);
        }

        return b;
    }

    /// <summary>A whole answer: struct vfio_region_info followed by <paramref name="caps"/>.</summary>
    public static byte[] Answer(uint argsz, uint flags, uint index, uint capOffset, ulong size, ulong offset, byte[] caps)
    {
        byte[] b = new byte[Math.Max(argsz, 32 + (uint)caps.Length)];
        BitConverter.TryWriteBytes(b.AsSpan(0), argsz);
        BitConverter.TryWriteBytes(b.AsSpan(4), flags);
        BitConverter.TryWriteBytes(b.AsSpan(8), index);
        BitConverter.TryWriteBytes(b.AsSpan(12), capOffset);
        BitConverter.TryWriteBytes(b.AsSpan(16), size);
        BitConverter.TryWriteBytes(b.AsSpan(24), offset);
        caps.CopyTo(b, 32);
        return b;
    }
}
