using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Planes;
using static Interop.Vfio;

namespace VgpuView.Benchmarks;

/// <summary>
/// One steady frame on the simulated vGPU: `sim:replay` of a single 1920x1080 XR24 primary with a
/// 64x64 AR24 cursor answers the same planes on every query without drawing, so a frame is two
/// plane queries and two cache hits through the whole device contract. Baseline: the two raw
/// queries on the same device. Allocated bytes per frame must be 0.
/// </summary>
[MemoryDiagnoser]
public class SimFrameBenchmarks
{
    private string _dir = null!;
    private VgpuDevice _device = null!;
    private FrameSource _source = null!;
    private readonly Frame _frame = new();

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("vgpuview-bench-").FullName;
        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), new byte[1920 * 4 * 1080]);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), new byte[64 * 4 * 64]);
        string json = Path.Combine(_dir, "steady.json");
        File.WriteAllText(json, """
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"XR24","width":1920,"height":1080,"stride":7680},
              {"plane":"cursor","file":"c.raw","format":"AR24","width":64,"height":64,"stride":256,"x":100,"y":100,"hot_x":1,"hot_y":1}
            ]}
            """);
        _device = DeviceFactory.Open(DeviceSpec.Parse("sim:replay=" + json), new VgpuView.VfioPlanes.Discovery.SysfsTree());
        _source = new FrameSource(_device);
        _source.Next(_frame);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _device.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "sim: two raw QueryGfxPlane")]
    public uint RawQueries()
    {
        var primary = new vfio_device_gfx_plane_info { argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = DRM_PLANE_TYPE_PRIMARY };
        var cursor = new vfio_device_gfx_plane_info { argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = DRM_PLANE_TYPE_CURSOR };
        _device.Raw.QueryGfxPlane(ref primary);
        _device.Raw.QueryGfxPlane(ref cursor);
        return primary.dmabuf_id + cursor.dmabuf_id;
    }

    [Benchmark(Description = "sim: FrameSource.Next, unchanged frame")]
    public FrameStatus Next() => _source.Next(_frame);
}
