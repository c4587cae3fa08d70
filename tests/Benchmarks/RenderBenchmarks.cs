extern alias viewer;

using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using viewer::VgpuView.Viewer.Rendering;

namespace VgpuView.Benchmarks;

/// <summary>
/// Per-frame cost of an unchanged 1920x1080 XR24 frame in the GL renderer: imported once as a
/// dma-buf (a live view: nothing to do per frame) against uploaded every frame (the baseline).
/// Each operation renders into the offscreen target and waits for the GPU (glFinish).
/// Import needs an EGL that offers it: run with Mesa 25 as the EGL vendor, e.g.
/// <c>env $(cat .cache/mesa25/env) dotnet run -c Release --project tests/Benchmarks -- --filter '*RenderBenchmarks*'</c>
/// (.cache/mesa25 is unpacked by tests/setup.d/30-mesa.sh). The GL context is current on the
/// thread that created it, so the benchmark must run in process.
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;

    private SafeFdHandle? _memfd;
    private GpuCompositor? _importGpu;
    private GpuCompositor? _uploadGpu;
    private PlaneTexture? _imported;
    private PlaneTexture? _uploaded;

    [GlobalSetup]
    public void Setup()
    {
        var plane = new PlaneInfo
        {
            Plane = PlaneType.Primary,
            Kind = PlaneBufferKind.DmaBuf,
            Fourcc = DrmFourcc.XRGB8888,
            Width = Width,
            Height = Height,
            Stride = Width * 4,
            Size = Width * Height * 4,
            Id = 1,
        };
        int fd = MemfdCreate("vgpuview-bench", 1 /* MFD_CLOEXEC */);
        if (fd < 0 || FTruncate(fd, plane.Size) != 0)
        {
            throw new InvalidOperationException($"memfd for the benchmark plane: errno {Marshal.GetLastPInvokeError()}");
        }

        _memfd = new SafeFdHandle(fd, ownsHandle: true);
        using (SafeMappedRegion map = SafeMappedRegion.Map(_memfd, 0, plane.Size, writable: true, "benchmark memfd"))
        {
            new Random(1).NextBytes(map.GetSpan());
        }

        _importGpu = new GpuCompositor(TextWriter.Null);
        if (!_importGpu.CanImport)
        {
            throw new InvalidOperationException($"this EGL cannot import dma-bufs ({_importGpu.Description}); run with Mesa 25 (see the class comment)");
        }

        _imported = _importGpu.CreateTexture(_memfd, plane);
        if (_imported.Path != PlanePath.Import)
        {
            throw new InvalidOperationException($"the benchmark plane was not imported: {_imported.UploadReason}");
        }

        _uploadGpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        _uploaded = _uploadGpu.CreateTexture(_memfd, plane);
    }

    [Benchmark(Baseline = true)]
    public void UnchangedFrameViaUpload()
    {
        _uploadGpu!.Render(_uploaded, null, 0, 0);
        _uploadGpu.Finish();
    }

    [Benchmark]
    public void UnchangedFrameViaImport()
    {
        _importGpu!.Render(_imported, null, 0, 0);
        _importGpu.Finish();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _imported?.Dispose();
        _uploaded?.Dispose();
        _importGpu?.Dispose();
        _uploadGpu?.Dispose();
        _memfd?.Dispose();
    }

    [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    private static extern int MemfdCreate([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int FTruncate(int fd, long length);
}
