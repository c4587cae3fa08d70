using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.Benchmarks;

/// <summary>
/// The steady state of a viewer: nothing changed, so a frame is two plane queries and two
/// cache hits. The baseline is the two queries alone, so the difference is the cost of the
/// validation, the cache and the frame bookkeeping. Allocated bytes per frame must be 0.
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private SteadyDevice _raw = null!;
    private VgpuDevice _device = null!;
    private FrameSource _source = null!;
    private readonly Frame _frame = new();
    private PlaneQuery _query = null!;
    private PlaneInfo _primaryInfo;
    private PlaneInfo _cursorInfo;

    [GlobalSetup]
    public void Setup()
    {
        _raw = new SteadyDevice();
        _device = new VgpuDevice(_raw, "bench");
        _source = new FrameSource(_device);
        _source.Next(_frame);
        _query = new PlaneQuery(_device);
        _primaryInfo = _frame.Primary.Info;
        _cursorInfo = _frame.Cursor.Info;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, Description = "two raw QueryGfxPlane")]
    public uint RawQueries()
    {
        var primary = new vfio_device_gfx_plane_info { argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = DRM_PLANE_TYPE_PRIMARY };
        var cursor = new vfio_device_gfx_plane_info { argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = DRM_PLANE_TYPE_CURSOR };
        _raw.QueryGfxPlane(ref primary);
        _raw.QueryGfxPlane(ref cursor);
        return primary.dmabuf_id + cursor.dmabuf_id;
    }

    [Benchmark(Description = "PlaneQuery.Query both planes (validated)")]
    public PlaneStatus QueryBoth() => _query.Query(PlaneType.Primary).Status | _query.Query(PlaneType.Cursor).Status;

    [Benchmark(Description = "DmaBufCache: two hits and releases")]
    public bool CacheHits()
    {
        DmaBufCache cache = _source.Cache;
        bool ok = cache.TryAcquire(_primaryInfo, out DmaBufEntry? primary, out _) & cache.TryAcquire(_cursorInfo, out DmaBufEntry? cursor, out _);
        cache.Release(primary!);
        cache.Release(cursor!);
        return ok;
    }

    [Benchmark(Description = "FrameSource.Next, both planes hit")]
    public FrameStatus Next() => _source.Next(_frame);

    /// <summary>
    /// A device whose planes never change: a 1920x1080 XRGB8888 primary and a 64x64 ARGB8888
    /// cursor, each backed by a memfd so the cache holds real fds.
    /// </summary>
    private sealed class SteadyDevice : IVfioDevice
    {
        private static readonly vfio_device_gfx_plane_info s_primary = new()
        {
            drm_format = DrmFourcc.XRGB8888, width = 1920, height = 1080, stride = 7680, size = 7680 * 1080,
            x_hot = VFIO_GFX_NO_HOTSPOT, y_hot = VFIO_GFX_NO_HOTSPOT, dmabuf_id = 1,
        };

        private static readonly vfio_device_gfx_plane_info s_cursor = new()
        {
            drm_format = DrmFourcc.ARGB8888, width = 64, height = 64, stride = 256, size = 256 * 64,
            x_pos = 100, y_pos = 100, x_hot = 0, y_hot = 0, dmabuf_id = 2,
        };

        public string Name => "bench";

        public int GetDeviceInfo(ref vfio_device_info info) => Errno.ENOTTY;

        public int GetRegionInfo(Span<byte> buffer) => Errno.EINVAL;

        public int QueryGfxPlane(ref vfio_device_gfx_plane_info info)
        {
            if ((info.flags & VFIO_GFX_PLANE_TYPE_PROBE) != 0)
            {
                return (info.flags & VFIO_GFX_PLANE_TYPE_DMABUF) != 0 ? 0 : Errno.EINVAL;
            }

            vfio_device_gfx_plane_info answer = info.drm_plane_type == DRM_PLANE_TYPE_CURSOR ? s_cursor : s_primary;
            answer.argsz = info.argsz;
            answer.flags = info.flags;
            answer.drm_plane_type = info.drm_plane_type;
            info = answer;
            return 0;
        }

        public int GetGfxDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
        {
            dmabuf = Interop.Libc.MemfdCreate("bench-dmabuf", Interop.Libc.MFD_CLOEXEC);
            if (dmabuf.IsInvalid || Interop.Libc.FTruncate(dmabuf, 7680 * 1080) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                dmabuf.Dispose();
                dmabuf = null;
                return errno;
            }

            return 0;
        }

        public int Read(Span<byte> buffer, long offset, out int bytesRead)
        {
            bytesRead = 0;
            return Errno.EINVAL;
        }

        public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten)
        {
            bytesWritten = 0;
            return Errno.EINVAL;
        }

        public SafeMappedRegion Map(long offset, long length, bool writable) =>
            throw new VfioException(Errno.EINVAL, "mmap", Name);

        public void Dispose()
        {
        }
    }
}
