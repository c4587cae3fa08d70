using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.SafeHandles;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// The dma-buf import path on Mesa 25 (bookworm-backports), whose surfaceless display imports a
/// memfd as a live view. Each test re-runs itself in a child process with Mesa 25 as its EGL
/// (<see cref="GpuChild"/>); there the body runs.
/// </summary>
[Collection("gl")]
public sealed class ImportPathTests
{
    private static string Name(string method) => typeof(ImportPathTests).FullName + "." + method;

    private static GpuCompositor Mesa25(TextWriter log)
    {
        var gpu = new GpuCompositor(log);
        TestContext.Current.TestOutputHelper?.WriteLine(gpu.Description);
        Requires.That(gpu.CanImport, $"EGL_EXT_image_dma_buf_import on Mesa 25's headless display ({gpu.Description})");
        return gpu;
    }

    [Fact]
    public void Import_MemfdPlane_IsImportedNotUploaded()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_MemfdPlane_IsImportedNotUploaded)));
            return;
        }

        (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 64, 48, seed: 10);
        using MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
        var log = new StringWriter();
        using GpuCompositor gpu = Mesa25(log);
        using PlaneTexture texture = gpu.CreateTexture(buffer.Fd, plane);
        gpu.Render(texture, null, 0, 0);
        gpu.Render(texture, null, 0, 0);

        Assert.Equal(PlanePath.Import, texture.Path);
        Assert.Equal(1, gpu.Stats.Imports);
        Assert.Equal(0, gpu.Stats.Uploads);
        Assert.Equal(0, gpu.Stats.FailedImports);
        Assert.Contains("primary plane XR24 64x48: dma-buf import", log.ToString());
        AssertSameImage(ReferencePixels.Compose(DrmFourcc.XRGB8888, bytes, 64, 48, (int)plane.Stride, 0, [], 0, 0, 0, 0, 0), Read(gpu), 64, "imported XR24");
    }

    [Fact]
    public void Import_WriteIntoMemfdAfterImport_ShowsInNextFrameWithoutNewImport()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_WriteIntoMemfdAfterImport_ShowsInNextFrameWithoutNewImport)));
            return;
        }

        (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 32, 16, seed: 11);
        using MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
        using GpuCompositor gpu = Mesa25(TextWriter.Null);
        using PlaneTexture texture = gpu.CreateTexture(buffer.Fd, plane);
        gpu.Render(texture, null, 0, 0);
        byte[] before = Read(gpu);

        // The guest draws: pixel (5, 3) becomes B 0x11, G 0x22, R 0x33.
        int o = (3 * (int)plane.Stride) + (5 * 4);
        buffer.Bytes[o] = 0x11;
        buffer.Bytes[o + 1] = 0x22;
        buffer.Bytes[o + 2] = 0x33;
        gpu.Render(texture, null, 0, 0);
        byte[] after = Read(gpu);

        int p = ((3 * 32) + 5) * 4;
        Assert.Equal(new byte[] { 0x33, 0x22, 0x11, 0xFF }, after[p..(p + 4)]);
        Assert.NotEqual(before[p..(p + 4)], after[p..(p + 4)]);
        Assert.Equal(1, gpu.Stats.Imports);
        Assert.Equal(0, gpu.Stats.Uploads);
    }

    [Fact]
    public void Import_EveryListedFormat_MatchesReferenceAndTheUploadPath()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_EveryListedFormat_MatchesReferenceAndTheUploadPath)));
            return;
        }

        using GpuCompositor gpu = Mesa25(TextWriter.Null);
        using var upload = new GpuCompositor(TextWriter.Null, allowImport: false);
        var imported = new List<string>();
        foreach (uint fourcc in AllFormats)
        {
            (PlaneInfo plane, byte[] bytes) = MakePlane(fourcc, 13, 7, seed: (int)fourcc);
            (PlaneInfo cursor, byte[] cursorBytes) = MakePlane(DrmFourcc.ARGB8888, 5, 4, seed: 99, PlaneType.Cursor, id: 2);
            using MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
            using MemfdBuffer cursorBuffer = MemfdBuffer.Create(cursorBytes, cursorBytes.Length);
            byte[] expected = ReferencePixels.Compose(fourcc, bytes, 13, 7, (int)plane.Stride, DrmFourcc.ARGB8888, cursorBytes, 5, 4, (int)cursor.Stride, 10, -1);

            using (PlaneTexture t = gpu.CreateTexture(buffer.Fd, plane))
            using (PlaneTexture c = gpu.CreateTexture(cursorBuffer.Fd, cursor))
            {
                // A format the driver does not list is uploaded, as the frame path does, from the buffer's bytes.
                UploadUnlessImported(t, buffer.Bytes);
                UploadUnlessImported(c, cursorBuffer.Bytes);
                gpu.Render(t, c, 10, -1);
                AssertSameImage(expected, Read(gpu), 13, $"{DrmFourcc.ToText(fourcc)} via {t.Path}");
                if (t.Path == PlanePath.Import)
                {
                    imported.Add(DrmFourcc.ToText(fourcc));
                }
            }

            using (PlaneTexture t = upload.CreateTexture(buffer.Fd, plane))
            using (PlaneTexture c = upload.CreateTexture(cursorBuffer.Fd, cursor))
            {
                UploadUnlessImported(t, buffer.Bytes);
                UploadUnlessImported(c, cursorBuffer.Bytes);
                upload.Render(t, c, 10, -1);
                AssertSameImage(expected, Read(upload), 13, $"{DrmFourcc.ToText(fourcc)} via upload");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine("imported: " + string.Join(' ', imported));

        // The 32-bit and YUV formats travel as AB24, which every Mesa driver lists.
        Assert.Contains("XR24", imported);
        Assert.Contains("YUYV", imported);
        Assert.Contains("AR30", imported);
        Assert.Equal(0, gpu.Stats.FailedImports);
    }

    [Fact]
    public void Import_GlContextWithoutOesEglImage_IsNotOfferedAndThePlaneIsUploaded()
    {
        if (!GpuChild.InMesa25)
        {
            // Mesa drops the extension from the context it makes; eglGetProcAddress still
            // returns glEGLImageTargetTexture2DOES, as glvnd's stub does for any name.
            GpuChild.RunUnderMesa25(Name(nameof(Import_GlContextWithoutOesEglImage_IsNotOfferedAndThePlaneIsUploaded)), ("MESA_EXTENSION_OVERRIDE", "-GL_OES_EGL_image"));
            return;
        }

        (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 16, 8, seed: 12);
        using MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
        var log = new StringWriter();
        using var gpu = new GpuCompositor(log);
        TestContext.Current.TestOutputHelper?.WriteLine(gpu.Description);
        Assert.False(gpu.CanImport);
        Assert.Contains("dma-buf import no", gpu.Description);
        using PlaneTexture texture = gpu.CreateTexture(buffer.Fd, plane);
        UploadUnlessImported(texture, buffer.Bytes);
        gpu.Render(texture, null, 0, 0);
        Assert.Equal(PlanePath.Upload, texture.Path);
        Assert.Equal(0, gpu.Stats.Imports);
        Assert.Contains("upload (the GL context offers no GL_OES_EGL_image to bind an imported image)", log.ToString());
        AssertSameImage(ReferencePixels.Compose(DrmFourcc.XRGB8888, bytes, 16, 8, (int)plane.Stride, 0, [], 0, 0, 0, 0, 0), Read(gpu), 16, "uploaded XR24");
    }

    [Fact]
    public void Import_ManyIdsWithEviction_KeepsNoImageBeyondCapacity()
    {
        if (!GpuChild.InMesa25)
        {
            GpuChild.RunUnderMesa25(Name(nameof(Import_ManyIdsWithEviction_KeepsNoImageBeyondCapacity)));
            return;
        }

        const int capacity = 5;
        int imagesBefore = SafeEglImageHandle.Live;
        int texturesBefore = PlaneTexture.Live;
        var lru = new LinkedList<(MemfdBuffer Buffer, PlaneTexture Texture)>();
        using (GpuCompositor gpu = Mesa25(TextWriter.Null))
        {
            for (uint id = 1; id <= 60; id++)
            {
                (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 16, 16, seed: (int)id, id: id);
                MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
                lru.AddFirst((buffer, gpu.CreateTexture(buffer.Fd, plane)));
                if (lru.Count > capacity)
                {
                    // What the cache's Evicted handler does on the render thread: texture and image, then the fd.
                    (MemfdBuffer oldBuffer, PlaneTexture oldTexture) = lru.Last!.Value;
                    lru.RemoveLast();
                    oldTexture.Dispose();
                    oldBuffer.Dispose();
                }

                gpu.Render(lru.First!.Value.Texture, null, 0, 0);
                Assert.True(SafeEglImageHandle.Live - imagesBefore <= capacity, $"{SafeEglImageHandle.Live - imagesBefore} EGLImages alive at id {id}");
                Assert.True(PlaneTexture.Live - texturesBefore <= capacity, $"{PlaneTexture.Live - texturesBefore} textures alive at id {id}");
            }

            Assert.Equal(60, gpu.Stats.Imports);
            Assert.Equal(capacity, SafeEglImageHandle.Live - imagesBefore);
            foreach ((MemfdBuffer buffer, PlaneTexture texture) in lru)
            {
                texture.Dispose();
                buffer.Dispose();
            }
        }

        Assert.Equal(imagesBefore, SafeEglImageHandle.Live);
        Assert.Equal(texturesBefore, PlaneTexture.Live);
    }
}
