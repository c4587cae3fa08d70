using System.Runtime.InteropServices;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.Viewer.SafeHandles;
using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>
/// The view loop in this process (so memory and fds can be measured here), on a private Xvfb,
/// drawing as fast as it can (no vsync, no --fps sleep). GLFW reads DISPLAY through the C
/// library's getenv, which Environment.SetEnvironmentVariable does not change, so the test sets
/// it with setenv. Runs alone: it counts the process's fds.
/// </summary>
[Collection(ProcessFdCollection.Name)]
public sealed class ViewLoopTests : IDisposable
{
    private readonly string? _displayBefore = Environment.GetEnvironmentVariable("DISPLAY");

    // The next test in this process must not find DISPLAY naming this test's stopped server.
    public void Dispose()
    {
        if (_displayBefore is null)
        {
            Environment.SetEnvironmentVariable("DISPLAY", null);
            UnsetEnv("DISPLAY");
        }
        else
        {
            SetDisplay(_displayBefore);
        }
    }

    [Fact]
    public void View_TenThousandSimFrames_KeepsFdsAndTexturesBoundedAndMemoryFlat()
    {
        using XSession x = XSession.Start();
        SetDisplay(x.Display);
        const int capacity = 8;
        const int frames = 10_000;
        int fdsBefore = OpenFds();
        int imagesBefore = SafeEglImageHandle.Live;
        int texturesBefore = PlaneTexture.Live;

        // The built-in guest page-flips every frame, moves its cursor, disables its display and
        // changes mode every 240 frames: every kind of cache traffic.
        using (VgpuDevice device = DeviceOpener.FromEnvironment().Open("sim:320x240"))
        {
            var sim = (VfioPlanes.Simulation.SimulatedVgpu)device.Raw;
            var settings = new ViewSettings { Fps = 0, NoVsync = true, Frames = frames, CacheSize = capacity, Hud = true };
            using var view = new ViewWindow(TextWriter.Null, TextWriter.Null, device, settings);
            long memoryAt1000 = 0, memoryAtEnd = 0;
            int fdsAtFirst = -1, maxCacheFds = 0, maxTextures = 0, maxLiveTextures = 0;
            string? fdProblem = null;
            view.AfterFrame = v =>
            {
                // Every fd beyond the window's own is one of the sim's buffers (a memfd each) or
                // a cached dma-buf: their sum stays what it was after the first frame. Xvfb's
                // window display imports nothing, so Mesa holds no dma-buf fds here (the import
                // path's fds and EGLImages are counted in ImportLongRunTests).
                if (v.Frames == 1 || v.Frames % 250 == 0)
                {
                    int others = OpenFds() - sim.BufferCount - v.Source.Cache.Counters.OpenFds;
                    fdsAtFirst = fdsAtFirst < 0 ? others : fdsAtFirst;
                    fdProblem ??= others == fdsAtFirst ? null : $"frame {v.Frames}: {others} fds besides the sim's buffers and the cache's, {fdsAtFirst} after the first frame";
                    maxCacheFds = Math.Max(maxCacheFds, v.Source.Cache.Counters.OpenFds);
                    maxTextures = Math.Max(maxTextures, PlaneTexture.Live - texturesBefore);
                    maxLiveTextures = Math.Max(maxLiveTextures, v.Compositor.LiveTextures);
                }

                if (v.Frames == 1000)
                {
                    memoryAt1000 = GC.GetTotalMemory(forceFullCollection: true);
                }
                else if (v.Frames == frames)
                {
                    memoryAtEnd = GC.GetTotalMemory(forceFullCollection: true);
                }
            };

            Assert.Equal(ViewOutcome.Closed, view.Run(TestContext.Current.CancellationToken));
            Assert.Equal(frames, view.Frames);
            Assert.True(view.Source.Cache.Counters.Misses > 100, $"the guest should have changed buffers many times, misses {view.Source.Cache.Counters.Misses}");
            Assert.Equal(0, view.Compositor.Stats.Imports);
            Assert.Equal(imagesBefore, SafeEglImageHandle.Live);

            // One texture per cached dma-buf (and none beyond), one fd per cached dma-buf.
            Assert.InRange(maxCacheFds, 1, capacity);
            Assert.InRange(maxTextures, 1, capacity);
            Assert.InRange(maxLiveTextures, 1, capacity);
            Assert.Null(fdProblem);
            Assert.True(memoryAtEnd - memoryAt1000 < 256 * 1024, $"managed memory grew by {memoryAtEnd - memoryAt1000} bytes between frame 1000 and {frames}");
        }

        // Closing releases every texture, EGLImage and fd the window and the device held.
        Assert.Equal(texturesBefore, PlaneTexture.Live);
        Assert.Equal(imagesBefore, SafeEglImageHandle.Live);
        Assert.InRange(OpenFds(), 0, fdsBefore);
    }

    [Fact]
    public void View_PrimaryTheRendererRefuses_SaysOnceWhichPlaneOfWhichDeviceAndKeepsRunning()
    {
        using XSession x = XSession.Start();
        SetDisplay(x.Display);
        using VgpuDevice device = new YfPlaneOpener(primary: true).Open("sim:640x480");
        var error = new StringWriter();
        var settings = new ViewSettings { Fps = 0, NoVsync = true, Frames = 20 };
        using var view = new ViewWindow(TextWriter.Null, error, device, settings);

        Assert.Equal(ViewOutcome.Closed, view.Run(TestContext.Current.CancellationToken));

        Assert.Equal(20, view.Frames);
        string[] faults = [.. error.ToString().Split('\n').Where(l => l.Contains("I915_Yf_TILED", StringComparison.Ordinal))];
        Assert.Single(faults);
        Assert.StartsWith("vgpuview: sim:640x480: primary plane XR24 I915_Yf_TILED 640x480 stride 2560 ", faults[0]);
        Assert.Contains(": unsupported modifier I915_Yf_TILED", faults[0]);
    }

    [Fact]
    public void View_UnchangedFrames_AllocateNothing()
    {
        using XSession x = XSession.Start();
        SetDisplay(x.Display);
        string dir = Directory.CreateTempSubdirectory("vgpuview-steady-").FullName;
        try
        {
            // A replay shows the same buffers every frame: the steady state of a still guest.
            File.WriteAllBytes(Path.Combine(dir, "p.raw"), new byte[256 * 192 * 4]);
            File.WriteAllBytes(Path.Combine(dir, "c.raw"), new byte[32 * 32 * 4]);
            string json = Path.Combine(dir, "still.json");
            File.WriteAllText(json, """
                {"planes":[{"plane":"primary","file":"p.raw","format":"XR24","width":256,"height":192,"stride":1024},
                           {"plane":"cursor","file":"c.raw","format":"AR24","width":32,"height":32,"stride":128,"x":10,"y":10}]}
                """);
            using VgpuDevice device = DeviceOpener.FromEnvironment().Open("sim:replay=" + json);
            var settings = new ViewSettings { Fps = 0, NoVsync = true, Frames = 1200, Hud = true };
            using var view = new ViewWindow(TextWriter.Null, TextWriter.Null, device, settings);
            // Allocated bytes at frames 200, 500, 800 and 1100: three windows of 300 frames.
            // A per-frame allocation shows in all three; see Allocations for why not just one.
            long[] at = new long[4];
            view.AfterFrame = v =>
            {
                if (v.Frames >= 200 && v.Frames <= 1100 && v.Frames % 300 == 200)
                {
                    at[(v.Frames - 200) / 300] = GC.GetAllocatedBytesForCurrentThread();
                }
            };

            Assert.Equal(ViewOutcome.Closed, view.Run(TestContext.Current.CancellationToken));
            Assert.Equal(1200, view.Frames);
            Assert.DoesNotContain(0, at);
            long[] windows = [at[1] - at[0], at[2] - at[1], at[3] - at[2]];
            Assert.True(windows.Min() == 0, "bytes per window of 300 frames: " + string.Join(", ", windows));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int OpenFds() => FdSnapshot.Take(collectFirst: false).Count;

    private static void SetDisplay(string display)
    {
        Environment.SetEnvironmentVariable("DISPLAY", display);
        Assert.Equal(0, SetEnv("DISPLAY", display, 1));
    }

    // DllImport rather than LibraryImport: the generated marshaller needs unsafe code, which this
    // test project does not allow; strings marshal as UTF-8 on Unix either way.
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv(string name);
}
