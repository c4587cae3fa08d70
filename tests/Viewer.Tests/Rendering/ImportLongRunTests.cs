using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.SafeHandles;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// The import path over thousands of frames of the simulated vGPU, through the real
/// DmaBufCache, FrameSource and a headless GpuCompositor on Mesa 25 (which imports the sim's
/// memfds): what the cache, the renderer and Mesa hold stays within the cache's capacity, and
/// all of it is released at shutdown. Each test re-runs itself in a child process with Mesa 25
/// as its EGL (<see cref="GpuChild"/>), where it is the only test, so it can count the process's fds.
/// </summary>
[Collection("gl")]
public sealed class ImportLongRunTests
{
    private const int Capacity = 4;

    private static string Name(string method) => typeof(ImportLongRunTests).FullName + "." + method;

    /// <summary>
    /// sim page-flips between two buffers and shows two cursor shapes, and every mode change
    /// (twice in each 240-frame cycle) frees the old mode's buffers and makes new ones with new ids.
    /// </summary>
    [Fact]
    public void Import_ThousandsOfPageFlippedSimFrames_ImagesTexturesAndFdsBoundedByTheCacheAndReleased()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_ThousandsOfPageFlippedSimFrames_ImagesTexturesAndFdsBoundedByTheCacheAndReleased)));
            return;
        }

        RunFrames("sim:320x240");
    }

    /// <summary>sim:gvt hands freed ids out again with the other mode's layout: the cache retires an entry whose id came back.</summary>
    [Fact]
    public void Import_ThousandsOfGvtFramesWithReusedIds_ImagesTexturesAndFdsBoundedByTheCacheAndReleased()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_ThousandsOfGvtFramesWithReusedIds_ImagesTexturesAndFdsBoundedByTheCacheAndReleased)));
            return;
        }

        RunFrames("sim:gvt,320x240,tiling=linear");
    }

    /// <summary>2400 frames (ten cycles of the guest's script) of <paramref name="spec"/>, checked after every frame.</summary>
    private static void RunFrames(string spec)
    {
        const int frames = 2400;

        // A first renderer made and dropped: what EGL and Mesa keep open for the process's life
        // (the loaded driver) is in the baseline, not counted as the renderer's.
        new GpuCompositor(TextWriter.Null).Dispose();
        FdSnapshot before = FdSnapshot.Take();
        int imagesBefore = SafeEglImageHandle.Live;
        int texturesBefore = PlaneTexture.Live;

        var sim = (SimulatedVgpu)SimulatedDevices.Open(spec[4..]);
        using (var device = new VgpuDevice(sim, spec))
        using (var source = new FrameSource(device, Capacity))
        using (var gpu = new GpuCompositor(TextWriter.Null))
        {
            Requires.That(gpu.CanImport, $"dma-buf import on Mesa 25 ({gpu.Description})");
            FdSnapshot start = FdSnapshot.Take(collectFirst: false);
            int simStart = sim.BufferCount;
            var frame = new Frame();
            int maxImages = 0, maxFds = 0, shown = 0;
            for (int i = 0; i < frames; i++)
            {
                source.Next(frame);
                gpu.Render(source, frame);

                // llvmpipe keeps the resources a scene draws from until the scene is rasterized:
                // an image destroyed before then keeps its fd (below) open until the next flush
                // (a window's swap, capture's readback). Finishing every frame makes the count exact.
                gpu.Finish();
                shown += frame.Primary.IsShown ? 1 : 0;

                // After a frame, every texture belongs to a cached entry (an evicted entry's
                // texture was deleted as the cache evicted it), and each texture is one EGLImage.
                int images = SafeEglImageHandle.Live - imagesBefore;
                int textures = PlaneTexture.Live - texturesBefore;
                int cached = source.Cache.Counters.OpenFds;
                Assert.True(cached <= Capacity, $"frame {i}: {cached} fds in a cache of {Capacity}");
                Assert.True(images <= cached, $"frame {i}: {images} EGLImages for {cached} cached dma-bufs");
                Assert.True(textures == images && gpu.LiveTextures == textures, $"frame {i}: {textures} textures ({gpu.LiveTextures} tracked) for {images} EGLImages");

                // The fds beyond those at the start: the sim's buffers made since (one memfd
                // each), the cache's (one per entry), and Mesa's: llvmpipe keeps a dup of the fd
                // of each imported image (dri_sw_displaytarget_from_handle) and mmaps it, and
                // closes it when the image is destroyed. Nothing else may be open.
                // An fd another thread holds for a moment (the runtime, a driver thread closing
                // late) is no leak: a count that differs is taken again until it settles, and a
                // leak, which stays, still fails.
                int expected = start.Count + (sim.BufferCount - simStart) + cached + images;
                int fds = FdSnapshot.Take(collectFirst: false).Count;
                for (int retry = 0; fds != expected && retry < 20; retry++)
                {
                    Thread.Sleep(5);
                    fds = FdSnapshot.Take(collectFirst: false).Count;
                }

                Assert.True(fds == expected, $"frame {i}: {fds} fds, expected {expected} ({start.Count} at the start, {sim.BufferCount - simStart} sim buffers since, {cached} cached, {images} images); {FdSnapshot.Take(collectFirst: false).Since(start)}");
                maxImages = Math.Max(maxImages, images);
                maxFds = Math.Max(maxFds, fds - start.Count - (sim.BufferCount - simStart));
            }

            CacheCounters counters = source.Cache.Counters;
            TestContext.Current.TestOutputHelper?.WriteLine($"{spec}: {shown} frames shown, {gpu.Stats.Imports} imports, {counters}, at most {maxImages} images and {maxFds} fds of cache and Mesa");
            Assert.True(shown > frames * 3 / 4, $"only {shown} of {frames} frames showed a primary");
            Assert.Equal(0, gpu.Stats.Uploads);
            Assert.Equal(0, gpu.Stats.FailedImports);
            Assert.True(counters.Evictions >= 30, $"{counters.Evictions} evictions: the cache should have turned over many times");
            Assert.True(gpu.Stats.Imports >= 30, $"{gpu.Stats.Imports} imports");
            Assert.InRange(maxImages, 2, Capacity);
            Assert.InRange(maxFds, 2, 2 * Capacity);
        }

        // Shutdown released every texture, EGLImage (and Mesa's dup with it), cached fd and sim buffer.
        Assert.Equal(texturesBefore, PlaneTexture.Live);
        Assert.Equal(imagesBefore, SafeEglImageHandle.Live);
        FdSnapshot after = FdSnapshot.Take();
        Assert.True(after.Count == before.Count, after.Since(before));
    }

    [Fact]
    public void Import_GuestDrawsIntoAnImportedSimBuffer_NextFrameShowsItWithoutANewImport()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_GuestDrawsIntoAnImportedSimBuffer_NextFrameShowsItWithoutANewImport)));
            return;
        }

        // The guest page-flips: frame N is drawn into buffer N % 2, so from frame 2 on every
        // frame redraws (moved box, new frame number) a buffer imported two frames before.
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim:320x240"), new VfioPlanes.Discovery.SysfsTree());
        using var source = new FrameSource(device, Capacity);
        using var gpu = new GpuCompositor(TextWriter.Null);
        Requires.That(gpu.CanImport, $"dma-buf import on Mesa 25 ({gpu.Description})");
        var frame = new Frame();
        var cpu = new CpuCompositor();
        var ids = new uint[8];
        var shots = new byte[8][];
        for (int i = 0; i < 8; i++)
        {
            source.Next(frame);
            Assert.True(frame.Primary.IsShown, $"frame {i} shows no primary");
            gpu.Render(source, frame, drawCursor: false);
            using (PlaneMemory m = frame.Primary.BeginCpuRead())
            {
                cpu.DrawPrimary(frame.Primary.Info, m.Bytes, keepAlpha: false);
            }

            ids[i] = frame.Primary.Info.Id;
            shots[i] = Read(gpu);
            AssertSameImage(cpu.Screen.ToArray(), shots[i], cpu.Width, $"frame {i} (dma-buf {ids[i]})");
            if (i >= 2)
            {
                Assert.Equal(ids[i - 2], ids[i]);
                Assert.False(shots[i].AsSpan().SequenceEqual(shots[i - 2]), $"frame {i} shows the same pixels as frame {i - 2}: the guest's drawing did not show");
            }
        }

        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(2, gpu.Stats.Imports);
        Assert.Equal(0, gpu.Stats.Uploads);
        Assert.Equal(0, source.Cache.Counters.Evictions);
    }
}
