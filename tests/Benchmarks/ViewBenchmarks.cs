extern alias viewer;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using viewer::VgpuView.Viewer.Commands;
using viewer::VgpuView.Viewer.Rendering;
using viewer::VgpuView.Viewer.Window;

namespace VgpuView.Benchmarks;

/// <summary>
/// Frames per second of `vgpuview view` at 1920x1080 on the simulated vGPU: one operation is one
/// frame of the window's loop (events, both plane queries, render, scale into the window, swap)
/// without vsync or --fps pacing, then glFinish. <see cref="Source"/> "sim" is the built-in
/// guest (page flipping every frame, a moving cursor, and its disable and mode-change cycle);
/// "still" is a replayed 1920x1080 frame that never changes.
///
/// The window's EGL display is the X server's: on Xvfb with Mesa it offers no dma-buf import, so
/// the window uploads every frame. Import is measured on the headless renderer over the same
/// frames (the surfaceless display of Mesa 25), as the figure the window would reach where its
/// display imports. Needs an X server and, for import, Mesa 25 as the EGL vendor:
/// <c>Xvfb :99 -noreset -screen 0 1920x1080x24 -nolisten tcp &amp; DISPLAY=:99 env $(cat .cache/mesa25/env) dotnet run -c Release --project tests/Benchmarks -- --filter '*ViewBenchmarks*'</c>.
/// GLFW and the GL context belong to the thread that created them, so it runs in process.
/// One operation being one frame, the Op/s column is the frames per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FramesPerSecondConfig))]
public class ViewBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;

    private string? _dir;
    private VgpuDevice? _windowDevice;
    private ViewWindow? _window;
    private VgpuDevice? _headlessDevice;
    private FrameSource? _headlessSource;
    private GpuCompositor? _headless;
    private readonly Frame _frame = new();

    [Params("sim", "still")]
    public string Source { get; set; } = "sim";

    [GlobalSetup]
    public void Setup()
    {
        if (Environment.GetEnvironmentVariable("DISPLAY") is null)
        {
            throw new InvalidOperationException("the view benchmark opens a window: set DISPLAY (an Xvfb will do, see the class comment)");
        }

        string spec = Source == "sim" ? $"sim:{Width}x{Height}" : "sim:replay=" + WriteStillFrame();
        var opener = DeviceOpener.FromEnvironment();
        _windowDevice = opener.Open(spec);
        _window = new ViewWindow(TextWriter.Null, TextWriter.Null, _windowDevice, new ViewSettings
        {
            Fps = 0,
            NoVsync = true,
            Size = (Width, Height),
        });

        _headless = new GpuCompositor(TextWriter.Null);
        if (!_headless.CanImport)
        {
            Console.WriteLine($"// headless import unavailable ({_headless.Description}): run with Mesa 25 (see the class comment)");
        }

        _headlessDevice = opener.Open(spec);
        _headlessSource = new FrameSource(_headlessDevice);
    }

    [Benchmark(Baseline = true, Description = "window frame, upload")]
    public void WindowFrameViaUpload()
    {
        _window!.Step();
        _window.Compositor.Finish();
    }

    /// <summary>The headless renderer only: no window, so no scaling into it and no swap.</summary>
    [Benchmark(Description = "headless renderer frame (no window), import")]
    public void HeadlessFrameViaImport()
    {
        _headlessSource!.Next(_frame);
        if (_frame.Primary.IsShown)
        {
            _headless!.Render(_headlessSource, _frame);
        }

        _headless!.Finish();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _window?.Dispose();
        _windowDevice?.Dispose();
        _headless?.Dispose();
        _headlessSource?.Dispose();
        _headlessDevice?.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Adds the operations per second, which for one frame per operation is the frame rate.</summary>
    public sealed class FramesPerSecondConfig : ManualConfig
    {
        public FramesPerSecondConfig()
        {
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }

    private string WriteStillFrame()
    {
        _dir = Directory.CreateTempSubdirectory("vgpuview-bench-").FullName;
        byte[] primary = new byte[Width * Height * 4];
        new Random(1).NextBytes(primary);
        byte[] cursor = new byte[64 * 64 * 4];
        new Random(2).NextBytes(cursor);
        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), primary);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), cursor);
        string json = Path.Combine(_dir, "still.json");
        File.WriteAllText(json, $$"""
            {"planes":[{"plane":"primary","file":"p.raw","format":"XR24","width":{{Width}},"height":{{Height}},"stride":{{Width * 4}}},
                       {"plane":"cursor","file":"c.raw","format":"AR24","width":64,"height":64,"stride":256,"x":500,"y":300}]}
            """);
        return json;
    }
}
