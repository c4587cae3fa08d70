using VgpuView.VfioPlanes.Opening;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>The upload path, in this process's EGL (the system's Mesa 22.3, which cannot import), and forced off import.</summary>
[Collection("gl")]
public sealed class UploadPathTests
{
    public static TheoryData<string> Formats()
    {
        var data = new TheoryData<string>();
        foreach (uint f in AllFormats)
        {
            data.Add(DrmFourcc.ToText(f));
        }

        return data;
    }

    [Fact]
    public void ReferencePixels_HandComputedValues()
    {
        // Pins the test's reference to values worked out by hand from drm_fourcc.h.
        Assert.Equal(((byte)0x30, (byte)0x20, (byte)0x10, (byte)255), ReferencePixels.Pixel(DrmFourcc.XRGB8888, [0x10, 0x20, 0x30, 0x40], 4, 0, 0, true));
        Assert.Equal(((byte)0x30, (byte)0x20, (byte)0x10, (byte)0x40), ReferencePixels.Pixel(DrmFourcc.ARGB8888, [0x10, 0x20, 0x30, 0x40], 4, 0, 0, true));
        Assert.Equal(((byte)0xFF, (byte)0, (byte)0, (byte)255), ReferencePixels.Pixel(DrmFourcc.RGB565, [0x00, 0xF8], 2, 0, 0, true));
        Assert.Equal(((byte)0x84, (byte)0x82, (byte)0, (byte)255), ReferencePixels.Pixel(DrmFourcc.RGB565, [0x00, 0x84], 2, 0, 0, true)); // R 0x10, G 0x20
        Assert.Equal(((byte)0xFF, (byte)0x80, (byte)0, (byte)255), ReferencePixels.Pixel(DrmFourcc.XRGB2101010, [0x00, 0x00, 0xF8, 0x3F], 4, 0, 0, true)); // R 0x3FF, G 0x200
        Assert.Equal(((byte)255, (byte)255, (byte)255, (byte)255), ReferencePixels.Pixel(DrmFourcc.YUYV, [235, 128, 16, 128], 4, 0, 0, true));
        Assert.Equal(((byte)0, (byte)0, (byte)0, (byte)255), ReferencePixels.Pixel(DrmFourcc.YUYV, [235, 128, 16, 128], 4, 1, 0, true));

        // Y 81, Cb 90, Cr 240 (BT.601 red): R = (298*65 + 409*112 + 128) >> 8 = 255 (clamped), G = (19370 + 3800 - 23296 + 128) >> 8 = 0, B = (19370 - 19608 + 128) >> 8 = -1 -> 0.
        Assert.Equal(((byte)255, (byte)0, (byte)0, (byte)255), ReferencePixels.Pixel(DrmFourcc.UYVY, [90, 81, 240, 81], 4, 0, 0, true));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Render_UploadFromDmaBuf_MatchesReference(string format)
    {
        RequireEgl();
        Assert.True(DrmFourcc.TryParse(format, out uint fourcc));
        (PlaneInfo plane, byte[] bytes) = MakePlane(fourcc, 7, 5, seed: (int)fourcc);
        using MemfdBuffer buffer = MemfdBuffer.Create(bytes, bytes.Length);
        var log = new StringWriter();
        using var gpu = new GpuCompositor(log, allowImport: false);
        using PlaneTexture texture = gpu.CreateTexture(buffer.Fd, plane);

        UploadUnlessImported(texture, buffer.Bytes);
        gpu.Render(texture, null, 0, 0);

        Assert.Equal(PlanePath.Upload, texture.Path);
        Assert.Equal(1, gpu.Stats.Uploads);
        Assert.Equal(0, gpu.Stats.Imports);
        byte[] expected = ReferencePixels.Compose(fourcc, bytes, 7, 5, (int)plane.Stride, 0, [], 0, 0, 0, 0, 0);
        AssertSameImage(expected, Read(gpu), 7, format);
        Assert.Contains($"primary plane {format} 7x5: upload (import switched off)", log.ToString());
    }

    [Fact]
    public void Render_CursorAtSignedClippedPosition_BlendsLikeTheCpu()
    {
        RequireEgl();
        (PlaneInfo primary, byte[] primaryBytes) = MakePlane(DrmFourcc.XRGB8888, 16, 12, seed: 1);
        (PlaneInfo cursor, byte[] cursorBytes) = MakePlane(DrmFourcc.ARGB8888, 6, 5, seed: 2, PlaneType.Cursor, id: 2);
        cursorBytes[3] = 0;   // fully transparent
        cursorBytes[7] = 255; // opaque
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        using PlaneTexture p = gpu.CreateUploadTexture(primary);
        using PlaneTexture c = gpu.CreateUploadTexture(cursor);
        p.Upload(primaryBytes);
        c.Upload(cursorBytes);

        foreach ((int x, int y) in (ReadOnlySpan<(int, int)>)[(3, 4), (-2, -1), (13, 9), (-6, 0), (100, 100)])
        {
            gpu.Render(p, c, x, y);
            byte[] expected = ReferencePixels.Compose(
                DrmFourcc.XRGB8888, primaryBytes, 16, 12, (int)primary.Stride,
                DrmFourcc.ARGB8888, cursorBytes, 6, 5, (int)cursor.Stride, x, y);
            AssertSameImage(expected, Read(gpu), 16, $"cursor at ({x}, {y})");
        }
    }

    [Fact]
    public void Upload_SameSizeAgain_ReusesTextureAndShowsNewBytes()
    {
        RequireEgl();
        (PlaneInfo plane, byte[] first) = MakePlane(DrmFourcc.XBGR8888, 9, 4, seed: 3);
        (_, byte[] second) = MakePlane(DrmFourcc.XBGR8888, 9, 4, seed: 4);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        using PlaneTexture texture = gpu.CreateUploadTexture(plane);
        texture.Upload(first);
        uint name = texture.Texture;
        gpu.Render(texture, null, 0, 0);
        texture.Upload(second);
        gpu.Render(texture, null, 0, 0);

        Assert.Equal(name, texture.Texture);
        AssertSameImage(ReferencePixels.Compose(DrmFourcc.XBGR8888, second, 9, 4, (int)plane.Stride, 0, [], 0, 0, 0, 0, 0), Read(gpu), 9, "second upload");
    }

    [Fact]
    public void Upload_ShortBuffer_IsRejectedNamingTheNeed()
    {
        RequireEgl();
        (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 8, 8, seed: 5);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        using PlaneTexture texture = gpu.CreateUploadTexture(plane);

        var e = Assert.Throws<ArgumentException>(() => texture.Upload(bytes.AsSpan(0, bytes.Length - 40)));
        Assert.Contains("needs", e.Message);
    }

    [Fact]
    public void CreateTexture_StrideBelowWidth_IsRejected()
    {
        RequireEgl();
        (PlaneInfo plane, _) = MakePlane(DrmFourcc.XRGB8888, 8, 8, seed: 6);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);

        var e = Assert.Throws<ArgumentException>(() => gpu.CreateUploadTexture(plane with { Stride = 28 }));
        Assert.Contains("stride 28", e.Message);
    }

    [Fact]
    public void CreateTexture_SizeBelowRows_IsRejected()
    {
        RequireEgl();
        (PlaneInfo plane, _) = MakePlane(DrmFourcc.XRGB8888, 8, 8, seed: 7);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);

        var e = Assert.Throws<ArgumentException>(() => gpu.CreateUploadTexture(plane with { Size = plane.Stride * 7 }));
        Assert.Contains($"size {plane.Stride * 7}", e.Message);
    }

    [Fact]
    public void ManyTextures_Disposed_LeaveNoneAlive()
    {
        RequireEgl();
        int before = PlaneTexture.Live;
        using (var gpu = new GpuCompositor(TextWriter.Null, allowImport: false))
        {
            for (uint id = 0; id < 50; id++)
            {
                (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 4, 4, seed: (int)id, id: id);
                using PlaneTexture t = gpu.CreateUploadTexture(plane);
                t.Upload(bytes);
                gpu.Render(t, null, 0, 0);
            }

            Assert.Equal(before, PlaneTexture.Live);
        }
    }

    [Fact]
    public void Shutdown_WithTexturesLeft_ReleasesThemAll()
    {
        RequireEgl();
        int before = PlaneTexture.Live;
        var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        for (uint id = 0; id < 8; id++)
        {
            (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.RGB565, 6, 3, seed: (int)id, id: id);
            gpu.CreateUploadTexture(plane).Upload(bytes);
        }

        Assert.Equal(8, gpu.LiveTextures);
        Assert.Equal(before + 8, PlaneTexture.Live);
        gpu.Dispose();
        gpu.Dispose();

        Assert.Equal(before, PlaneTexture.Live);
    }

    [Fact]
    public void TwoRenderersOnOneThread_EachDrawsItsOwnPlane()
    {
        RequireEgl();
        (PlaneInfo a, byte[] aBytes) = MakePlane(DrmFourcc.XRGB8888, 5, 5, seed: 20);
        (PlaneInfo b, byte[] bBytes) = MakePlane(DrmFourcc.BGR888, 7, 3, seed: 21);
        using var first = new GpuCompositor(TextWriter.Null, allowImport: false);
        using PlaneTexture ta = first.CreateUploadTexture(a);
        using var second = new GpuCompositor(TextWriter.Null, allowImport: false);
        using PlaneTexture tb = second.CreateUploadTexture(b);
        ta.Upload(aBytes);
        tb.Upload(bBytes);

        first.Render(ta, null, 0, 0);
        second.Render(tb, null, 0, 0);

        AssertSameImage(ReferencePixels.Compose(DrmFourcc.XRGB8888, aBytes, 5, 5, (int)a.Stride, 0, [], 0, 0, 0, 0, 0), Read(first), 5, "first renderer");
        AssertSameImage(ReferencePixels.Compose(DrmFourcc.BGR888, bBytes, 7, 3, (int)b.Stride, 0, [], 0, 0, 0, 0, 0), Read(second), 7, "second renderer");
    }

    [Fact]
    public void Eviction_DeletesTheEntrysTextureOnTheRenderThreadBeforeItsFdCloses()
    {
        RequireEgl();
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim:320x200"), new SysfsTree());
        using var source = new FrameSource(device, cacheCapacity: 1);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        var frame = new Frame();
        var textures = new Dictionary<DmaBufEntry, PlaneTexture>();
        var seen = new List<string>();
        int renderThread = Environment.CurrentManagedThreadId;
        for (int i = 0; i < 6; i++)
        {
            source.Next(frame);
            gpu.Render(source, frame);
            if (i == 0)
            {
                // Subscribed after the renderer, so it runs after the renderer's handler.
                source.Cache.Evicted += entry =>
                {
                    if (textures.Remove(entry, out PlaneTexture? texture))
                    {
                        seen.Add($"texture {texture.Texture}, fd closed {entry.IsDisposed}, thread {(Environment.CurrentManagedThreadId == renderThread ? "render" : "other")}");
                    }
                };
            }

            foreach (PlaneState plane in (ReadOnlySpan<PlaneState>)[frame.Primary, frame.Cursor])
            {
                if (plane.DmaBuf is { } entry && gpu.TextureOf(plane) is { } texture)
                {
                    textures[entry] = texture;
                }
            }

            Assert.True(gpu.LiveTextures <= source.Cache.Counters.OpenFds, $"frame {i}: {gpu.LiveTextures} textures for {source.Cache.Counters.OpenFds} cached dma-bufs");
        }

        Assert.NotEmpty(seen);
        Assert.All(seen, s => Assert.Equal("texture 0, fd closed False, thread render", s));
    }

    [Fact]
    public void Textures_OnAnotherThread_AreRefusedNamingTheRenderThread()
    {
        RequireEgl();
        (PlaneInfo plane, byte[] bytes) = MakePlane(DrmFourcc.XRGB8888, 4, 4, seed: 30);
        using var gpu = new GpuCompositor(TextWriter.Null, allowImport: false);
        PlaneTexture texture = gpu.CreateUploadTexture(plane);
        texture.Upload(bytes);

        Exception? create = null, delete = null;
        var other = new Thread(() =>
        {
            create = Record.Exception(() => gpu.CreateUploadTexture(plane with { Id = 2 }));
            delete = Record.Exception(texture.Dispose);
        });
        other.Start();
        other.Join();

        Assert.Contains("must run there", Assert.IsType<InvalidOperationException>(create).Message);
        Assert.Contains("cannot delete a texture", Assert.IsType<InvalidOperationException>(delete).Message);
        Assert.Equal(1, gpu.LiveTextures);
        Assert.NotEqual(0u, texture.Texture);
        texture.Dispose();
        Assert.Equal(0, gpu.LiveTextures);
        Assert.Equal(0u, texture.Texture);
    }

    [Fact]
    public void SteadyFrames_AllocateNothing()
    {
        RequireEgl();
        (PlaneInfo primary, byte[] primaryBytes) = MakePlane(DrmFourcc.XRGB8888, 64, 32, seed: 40);
        (PlaneInfo cursor, byte[] cursorBytes) = MakePlane(DrmFourcc.ARGB8888, 8, 8, seed: 41, PlaneType.Cursor, id: 2);
        using MemfdBuffer p = MemfdBuffer.Create(primaryBytes, primaryBytes.Length);
        using MemfdBuffer c = MemfdBuffer.Create(cursorBytes, cursorBytes.Length);
        using var gpu = new GpuCompositor(new StringWriter(), allowImport: false);
        using PlaneTexture pt = gpu.CreateTexture(p.Fd, primary);
        using PlaneTexture ct = gpu.CreateTexture(c.Fd, cursor);
        byte[] rgba = new byte[64 * 32 * 4];
        UploadUnlessImported(pt, p.Bytes);
        UploadUnlessImported(ct, c.Bytes);
        gpu.Render(pt, ct, 3, 4);
        gpu.ReadPixels(rgba);

        int x = 0;
        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                UploadUnlessImported(pt, p.Bytes);
                UploadUnlessImported(ct, c.Bytes);
                gpu.Render(pt, ct, x++, 4);
                gpu.ReadPixels(rgba);
            }
        });

        Assert.True(least == 0, counts);
        Assert.Equal(62, gpu.Stats.Uploads); // both planes, every frame
    }
}
