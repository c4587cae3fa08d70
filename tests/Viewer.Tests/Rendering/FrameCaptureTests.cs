using System.Text.Json;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.SafeHandles;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// GPU capture against CPU capture (CpuCompositor, the PNG path) of the same frames of the
/// simulated vGPU, pixel for pixel: every personality, the formats the sim draws, tiled gvt
/// planes, and replayed frames with a cursor hanging off the edge.
/// </summary>
[Collection("gl")]
public sealed class FrameCaptureTests
{
    public static readonly string[] Specs =
    [
        "sim:320x200",
        "sim:mbochs,320x200",
        "sim:mdpy",
        "sim:gvt,320x200,tiling=linear",
        "sim:gvt,320x200",
        "sim:gvt,320x200,tiling=y",
        "sim:320x200,format=XB24",
        "sim:320x200,format=BX24",
        "sim:320x200,format=AR30",
        "sim:320x200,format=XB30",
        "sim:320x200,format=RG16",
        "sim:320x200,format=BG24",
        "sim:320x200,format=YUYV",
        "sim:320x200,format=VYUY",
    ];

    public static TheoryData<string> SpecData() => [.. Specs];

    [Theory]
    [MemberData(nameof(SpecData))]
    public void GpuCapture_SimFrames_EqualCpuCapture(string spec)
    {
        RequireEgl();
        using var gpu = new GpuCompositor(TextWriter.Null);
        Assert.True(CompareFrames(gpu, spec) >= 3, $"{spec} showed fewer than 3 frames");
    }

    [Fact]
    public void GpuCapture_ReplayWithCursor_EqualsCpuCapture()
    {
        RequireEgl();
        string dir = Directory.CreateTempSubdirectory("vgpuview-gl-replay").FullName;
        try
        {
            using var gpu = new GpuCompositor(TextWriter.Null);
            Assert.Equal(6, CompareFrames(gpu, "sim:replay=" + WriteReplay(dir))); // the three replayed frames, played twice
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void GpuCapture_Mesa25_SimAndReplayFramesImportedAndEqualCpuCapture()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(typeof(FrameCaptureTests).FullName + "." + nameof(GpuCapture_Mesa25_SimAndReplayFramesImportedAndEqualCpuCapture));
            return;
        }

        var log = new StringWriter();
        var gpu = new GpuCompositor(log);
        using var disposeGpu = gpu;
        VgpuView.Tests.Shared.Requires.That(gpu.CanImport, $"dma-buf import on Mesa 25 ({gpu.Description})");
        foreach (string spec in Specs)
        {
            long uploads = gpu.Stats.Uploads;
            long imports = gpu.Stats.Imports;
            Assert.True(CompareFrames(gpu, spec) >= 3, $"{spec} showed fewer than 3 frames");

            // Linear dma-buf planes are imported, never uploaded, where the driver lists their
            // carrier format (llvmpipe lists no BG24, the carrier of 24-bit RGB); mdpy's region
            // plane and the tiled gvt planes (X by default; llvmpipe lists no Intel modifier)
            // take the upload path.
            bool unlisted = spec.Contains("format=BG24") && !gpu.Egl.IsImportable(DrmFourcc.BGR888);
            if (spec.Contains("mdpy") || (spec.Contains("gvt") && !spec.Contains("tiling=linear")) || unlisted)
            {
                Assert.True(gpu.Stats.Uploads > uploads, $"{spec}: expected uploads");
            }
            else
            {
                Assert.True(uploads == gpu.Stats.Uploads, $"{spec}: {gpu.Stats.Uploads - uploads} uploads on the import path");
                Assert.True(gpu.Stats.Imports > imports, $"{spec}: expected imports");
            }
        }

        string dir = Directory.CreateTempSubdirectory("vgpuview-gl-replay").FullName;
        try
        {
            Assert.Equal(6, CompareFrames(gpu, "sim:replay=" + WriteReplay(dir))); // the three replayed frames, played twice
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        Assert.Equal(0, gpu.Stats.FailedImports);
        TestContext.Current.TestOutputHelper?.WriteLine(log.ToString());

        // Each source's cache took its textures and images with it when it closed; a source still
        // open at shutdown leaves them to the renderer's Dispose.
        Assert.Equal(0, SafeEglImageHandle.Live);
        Assert.Equal(0, PlaneTexture.Live);
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim:320x200"), new SysfsTree());
        using var source = new FrameSource(device);
        var frame = new Frame();
        source.Next(frame);
        gpu.Render(source, frame);
        Assert.True(SafeEglImageHandle.Live > 0, "the open source's images should still be alive before shutdown");
        gpu.Dispose();
        Assert.Equal(0, SafeEglImageHandle.Live);
        Assert.Equal(0, PlaneTexture.Live);
    }

    [Fact]
    public void GpuCapture_Mesa25_ImportFailingItsFirstDraw_FallbackFrameEqualsCpuCapture()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(typeof(FrameCaptureTests).FullName + "." + nameof(GpuCapture_Mesa25_ImportFailingItsFirstDraw_FallbackFrameEqualsCpuCapture));
            return;
        }

        var log = new StringWriter();
        using var gpu = new GpuCompositor(log) { FailFirstDraws = true };
        VgpuView.Tests.Shared.Requires.That(gpu.CanImport, $"dma-buf import on Mesa 25 ({gpu.Description})");

        // Every buffer the sim flips to (primary and cursor) is imported, fails its first draw,
        // and is shown through the upload fallback in that same frame.
        Assert.True(CompareFrames(gpu, "sim:320x200") >= 3, "sim:320x200 showed fewer than 3 frames");

        TestContext.Current.TestOutputHelper?.WriteLine(log.ToString());
        Assert.True(gpu.Stats.FailedImports >= 2, $"{gpu.Stats.FailedImports} failed imports");
        Assert.Equal(gpu.Stats.Imports, gpu.Stats.FailedImports);
        Assert.Contains("primary plane XR24 320x200: upload (the imported image failed its first draw (GL error 0x0502))", log.ToString());
        Assert.DoesNotContain(": dma-buf import", log.ToString());
    }

    [Fact]
    public void GpuCapture_ManyIdsThroughTheCache_TexturesBoundedByCapacityAndReleased()
    {
        RequireEgl();
        int before = PlaneTexture.Live;
        string dir = Directory.CreateTempSubdirectory("vgpuview-gl-replay").FullName;
        try
        {
            string json = WriteReplay(dir, frames: 24, distinctBuffers: true);
            using (var gpu = new GpuCompositor(TextWriter.Null))
            {
                using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim:replay=" + json), new SysfsTree());
                using var source = new FrameSource(device, cacheCapacity: 4);
                var frame = new Frame();
                for (int i = 0; i < 24; i++)
                {
                    source.Next(frame);
                    gpu.Render(source, frame);
                    Assert.True(gpu.LiveTextures <= source.Cache.Capacity + 2, $"{gpu.LiveTextures} textures alive after frame {i} with a cache of {source.Cache.Capacity}");
                }

                Assert.True(source.Cache.Counters.Evictions > 0);
            }

            Assert.Equal(before, PlaneTexture.Live);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs six frames of <paramref name="spec"/>; each one shown is captured both ways and compared. Returns how many were.</summary>
    private static int CompareFrames(GpuCompositor gpu, string spec)
    {
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse(spec), new SysfsTree());
        using var source = new FrameSource(device);
        var frame = new Frame();
        var cpu = new CpuCompositor();
        int compared = 0;
        for (int i = 0; i < 6; i++)
        {
            source.Next(frame);
            if (!frame.Primary.IsShown)
            {
                continue;
            }

            using (PlaneMemory m = frame.Primary.BeginCpuRead())
            {
                cpu.DrawPrimary(frame.Primary.Info, m.Bytes, keepAlpha: false);
            }

            if (frame.Cursor.IsShown)
            {
                using PlaneMemory c = frame.Cursor.BeginCpuRead();
                cpu.DrawCursor(frame.Cursor.Info, c.Bytes);
            }

            gpu.Render(source, frame);

            // GL tests run one at a time, so every EGLImage alive is this renderer's: one per cached dma-buf at most.
            Assert.True(SafeEglImageHandle.Live <= source.Cache.Capacity, $"{SafeEglImageHandle.Live} EGLImages alive with a cache of {source.Cache.Capacity}");
            Assert.Equal((cpu.Width, cpu.Height), (gpu.Width, gpu.Height));
            AssertSameImage(cpu.Screen.ToArray(), Read(gpu), cpu.Width, $"{spec} frame {i} ({frame.Primary.Info.FormatName} {DrmModifier.ToText(frame.Primary.Info.Modifier)}, cursor {(frame.Cursor.IsShown ? $"at {frame.Cursor.Info.X},{frame.Cursor.Info.Y}" : "off")})");
            compared++;
        }

        return compared;
    }

    /// <summary>
    /// A replay of XR24 primaries with an AR24 cursor moving across the left, top and right
    /// edges (signed positions); with <paramref name="distinctBuffers"/> every frame has buffers of its own.
    /// </summary>
    private static string WriteReplay(string dir, int frames = 3, bool distinctBuffers = false)
    {
        var random = new Random(42);
        var list = new List<object[]>();
        (int X, int Y)[] positions = [(-5, 3), (20, -7), (60, 30)];
        for (int f = 0; f < frames; f++)
        {
            string primaryFile = distinctBuffers || f == 0 ? $"primary{f}.raw" : "primary0.raw";
            string cursorFile = distinctBuffers || f == 0 ? $"cursor{f}.raw" : "cursor0.raw";
            if (!File.Exists(Path.Combine(dir, primaryFile)))
            {
                byte[] p = new byte[72 * 4 * 40];
                random.NextBytes(p);
                File.WriteAllBytes(Path.Combine(dir, primaryFile), p);
                byte[] c = new byte[16 * 4 * 16];
                random.NextBytes(c);
                File.WriteAllBytes(Path.Combine(dir, cursorFile), c);
            }

            (int x, int y) = positions[f % positions.Length];
            list.Add(
            [
                new { plane = "primary", file = primaryFile, format = "XR24", width = 64, height = 40, stride = 72 * 4 },
                new { plane = "cursor", file = cursorFile, format = "AR24", width = 16, height = 16, stride = 64, x, y },
            ]);
        }

        string json = Path.Combine(dir, "replay.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new { frames = list }));
        return json;
    }
}
