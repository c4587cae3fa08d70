extern alias viewer;

using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using viewer::VgpuView.Viewer.Rendering;

namespace VgpuView.Benchmarks;

/// <summary>
/// Per-frame cost of an unchanged 1920x1080 XR24 frame in the GL renderer: imported once as a
/// dma-buf (a live view: nothing to do per frame) against uploaded every frame (the baseline).
/// Two figures, each against its own baseline in the same run:
/// <list type="bullet">
/// <item>"frame": the whole frame, bringing the plane up to date, drawing it into the offscreen
/// target and waiting for the GPU (glFinish). On a GPU the draw of one quad is cheap and the
/// upload is the frame's cost; on llvmpipe the draw is rasterised on the CPU, costs as much in
/// both paths and hides the difference.</item>
/// <item>"plane update": only what the path must do each frame before the draw, waited for
/// (glFinish): for an upload, mapping nothing new but copying the frame into the texture from a
/// mapping of the buffer made once; for an import, nothing, since the texture samples the
/// guest's buffer.</item>
/// </list>
/// Import needs an EGL that offers it: run with Mesa 25 as the EGL vendor, e.g.
/// <c>env $(cat .cache/mesa25/env) dotnet run -c Release --project tests/Benchmarks -- --filter '*RenderBenchmarks*'</c>
/// (.cache/mesa25 is unpacked by tests/setup.d/30-mesa.sh). The GL context is current on the
/// thread that created it, so the benchmark must run in process.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RenderBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;

    private SafeFdHandle? _memfd;
    private SafeMappedRegion? _mapping;
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

        // What the frame path reads an upload from: the buffer mapped read-only once.
        _mapping = SafeMappedRegion.Map(_memfd, 0, plane.Size, writable: false, "benchmark memfd");

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
    [BenchmarkCategory("frame")]
    public void UnchangedFrameViaUpload()
    {
        UpdatePlane(_uploaded!);
        _uploadGpu!.Render(_uploaded, null, 0, 0);
        _uploadGpu.Finish();
    }

    [Benchmark]
    [BenchmarkCategory("frame")]
    public void UnchangedFrameViaImport()
    {
        UpdatePlane(_imported!);
        _importGpu!.Render(_imported, null, 0, 0);
        _importGpu.Finish();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("plane update")]
    public void PlaneUpdateViaUpload()
    {
        UpdatePlane(_uploaded!);
        _uploadGpu!.Finish();
    }

    [Benchmark]
    [BenchmarkCategory("plane update")]
    public void PlaneUpdateViaImport()
    {
        UpdatePlane(_imported!);
        _importGpu!.Finish();
    }

    // As the frame path does before each draw: a texture that is not an import gets the frame's bytes.
    private void UpdatePlane(PlaneTexture texture)
    {
        if (texture.Path == PlanePath.Upload)
        {
            texture.Upload(_mapping!.GetSpan());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _imported?.Dispose();
        _uploaded?.Dispose();
        _importGpu?.Dispose();
        _uploadGpu?.Dispose();
        _mapping?.Dispose();
        _memfd?.Dispose();
    }

    [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    private static extern int MemfdCreate([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int FTruncate(int fd, long length);
}
