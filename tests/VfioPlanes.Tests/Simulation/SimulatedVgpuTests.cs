using System.Security.Cryptography;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class SimulatedVgpuTests
{
    [Theory]
    [InlineData("", VFIO_GFX_PLANE_TYPE_DMABUF)]
    [InlineData("mbochs", VFIO_GFX_PLANE_TYPE_DMABUF)]
    [InlineData("gvt", VFIO_GFX_PLANE_TYPE_DMABUF)]
    [InlineData("mdpy", VFIO_GFX_PLANE_TYPE_REGION)]
    public void Probe_AnswersZeroForItsKindAndEinvalForTheOther(string options, uint kind)
    {
        using var sim = Open(options);
        uint other = kind == VFIO_GFX_PLANE_TYPE_DMABUF ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
        Assert.Equal(0, Query(sim, 0, out _, VFIO_GFX_PLANE_TYPE_PROBE | kind));
        Assert.Equal(Errno.EINVAL, Query(sim, 0, out _, VFIO_GFX_PLANE_TYPE_PROBE | other));
        Assert.Equal(-1, sim.CurrentFrame); // probes do not advance the guest

        // A query with the wrong kind, or both, is refused.
        Assert.Equal(Errno.EINVAL, Query(sim, Primary, out _, other));
        Assert.Equal(Errno.EINVAL, Query(sim, Primary, out _, VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION));
        // mbochs has no buffer for its mode right after the open: its first query answers ENOMEM.
        Assert.Equal(options == "mbochs" ? Errno.ENOMEM : 0, Query(sim, Primary, out _, kind));
    }

    [Theory]
    [InlineData(0u, Errno.EINVAL)]
    [InlineData(59u, Errno.EINVAL)]
    [InlineData(60u, 0)] // minsz is offsetofend(region_index): the reserved tail is optional
    [InlineData(64u, 0)]
    public void Query_ChecksArgszAgainstMinsz(uint argsz, int expected)
    {
        using var sim = Open("");
        var info = new vfio_device_gfx_plane_info { argsz = argsz, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = Primary };
        Assert.Equal(expected, sim.QueryGfxPlane(ref info));
    }

    [Fact]
    public void Default_Primary_IsXr24Linear1024x768AndPageFlipsBetweenTwoIds()
    {
        using var sim = Open("");
        uint[] ids = new uint[4];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, Query(sim, Primary, out var info));
            Assert.Equal(DrmFourcc.XRGB8888, info.drm_format);
            Assert.Equal(DrmModifier.Linear, info.drm_format_mod);
            Assert.Equal((1024u, 768u, 4096u, 4096u * 768), (info.width, info.height, info.stride, info.size));
            ids[i] = info.dmabuf_id;
        }

        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
        Assert.Equal(ids[1], ids[3]);
    }

    [Fact]
    public void Default_DisabledPhase_IsSuccessWithZeroFormatAndSize()
    {
        using var sim = Open("");
        Skip(sim, GuestScript.DisabledStart);
        Assert.Equal(0, Query(sim, Primary, out var primary));
        Assert.Equal((0u, 0u, 0u, 0u), (primary.drm_format, primary.size, primary.width, primary.height));
        Assert.Equal(0, Query(sim, Cursor, out var cursor));
        Assert.Equal((0u, 0u, 0u, 0u), (cursor.drm_format, cursor.size, cursor.width, cursor.height));
    }

    [Fact]
    public void Default_ModeChange_GoesTo800x600AndBackWithFreshIds()
    {
        using var sim = Open("");
        Query(sim, Primary, out var first);
        Skip(sim, GuestScript.AlternateStart - 1);
        Assert.Equal(0, Query(sim, Primary, out var alt));
        Assert.Equal((800u, 600u), (alt.width, alt.height));
        Assert.NotEqual(first.dmabuf_id, alt.dmabuf_id);
        Skip(sim, GuestScript.BaseAgainStart - GuestScript.AlternateStart - 1);
        Assert.Equal(0, Query(sim, Primary, out var back));
        Assert.Equal((1024u, 768u), (back.width, back.height));
        Assert.True(back.dmabuf_id > alt.dmabuf_id, "a well-behaved device never reuses an id");
    }

    [Fact]
    public void Default_Cursor_IsArgb64WithHotspotAndOffScreenPosition()
    {
        using var sim = Open("");
        Query(sim, Primary, out var primary);
        Assert.Equal(0, Query(sim, Cursor, out var cursor));
        Assert.Equal(DrmFourcc.ARGB8888, cursor.drm_format);
        Assert.Equal((64u, 64u, 256u), (cursor.width, cursor.height, cursor.stride));
        Assert.Equal((Signed(-32), Signed(-24)), (cursor.x_pos, cursor.y_pos)); // frame 0 hangs off the top left
        Assert.Equal((1u, 1u), (cursor.x_hot, cursor.y_hot));
        Assert.NotEqual(primary.dmabuf_id, cursor.dmabuf_id);

        // Cursor queries do not advance the guest.
        Query(sim, Cursor, out var again);
        Assert.Equal(cursor.x_pos, again.x_pos);
        Assert.Equal(0, sim.CurrentFrame);
    }

    [Fact]
    public void Default_OtherPlaneTypes_AreEinval()
    {
        using var sim = Open("");
        Assert.Equal(Errno.EINVAL, Query(sim, DRM_PLANE_TYPE_OVERLAY, out _));
        Assert.Equal(Errno.EINVAL, Query(sim, 7, out _));
    }

    [Fact]
    public void CursorOff_CursorQueryIsDisabled()
    {
        using var sim = Open("cursor=off");
        Query(sim, Primary, out _);
        Assert.Equal(0, Query(sim, Cursor, out var cursor));
        Assert.Equal((0u, 0u), (cursor.drm_format, cursor.size));
    }

    [Fact]
    public void GetGfxDmaBuf_UnknownId_IsEnoentForMbochsAndDefault_EinvalForGvt()
    {
        foreach ((string options, int errno) in new[] { ("", Errno.ENOENT), ("mbochs", Errno.ENOENT), ("gvt", Errno.EINVAL) })
        {
            using var sim = Open(options);
            Query(sim, Primary, out _);
            Assert.Equal(errno, sim.GetGfxDmaBuf(999, out SafeFdHandle? fd));
            Assert.Null(fd);
        }
    }

    [Fact]
    public void GetGfxDmaBuf_GivesANewRealFdEachCall()
    {
        using var sim = Open("");
        Query(sim, Primary, out var info);
        Assert.Equal(0, sim.GetGfxDmaBuf(info.dmabuf_id, out SafeFdHandle? a));
        Assert.Equal(0, sim.GetGfxDmaBuf(info.dmabuf_id, out SafeFdHandle? b));
        using (a)
        using (b)
        {
            Assert.NotEqual(a!.Number, b!.Number);
            foreach (SafeFdHandle fd in new[] { a, b })
            {
                string target = FdTarget(fd);
                Assert.True(target.Contains("memfd:", StringComparison.Ordinal) || target.Contains("dmabuf", StringComparison.Ordinal), target);
            }
        }
    }

    [Fact]
    public void DmaBuf_Pixels_DecodeToTheGuestsTruth()
    {
        using var sim = Open("");
        Skip(sim, 36);
        Assert.Equal(0, Query(sim, Primary, out var info));
        byte[] bytes = ReadDmaBuf(sim, info.dmabuf_id, (int)info.size);
        byte[] truth = sim.RenderPrimaryTruth(sim.CurrentFrame, out SimMode mode);
        Assert.Equal((1024, 768), (mode.Width, mode.Height));

        // XRGB8888 in memory is B, G, R, X: a decoder written here, independent of the encoder.
        for (int y = 0; y < 768; y++)
        {
            for (int x = 0; x < 1024; x++)
            {
                int s = y * 4096 + x * 4, t = (y * 1024 + x) * 4;
                if (bytes[s + 2] != truth[t] || bytes[s + 1] != truth[t + 1] || bytes[s] != truth[t + 2] || bytes[s + 3] != 0)
                {
                    Assert.Fail($"pixel ({x}, {y}) is {bytes[s + 2]},{bytes[s + 1]},{bytes[s]} X {bytes[s + 3]}, expected {truth[t]},{truth[t + 1]},{truth[t + 2]} X 0");
                }
            }
        }

        // Spot values from the script, independent of the renderer: white first bar, black last bar, ramp ends.
        Assert.Equal(new byte[] { 255, 255, 255, 0 }, bytes[(300 * 4096)..(300 * 4096 + 4)]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, bytes[(300 * 4096 + 1023 * 4)..(300 * 4096 + 1024 * 4)]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, bytes[(700 * 4096)..(700 * 4096 + 4)]);
        Assert.Equal(new byte[] { 255, 255, 255, 0 }, bytes[(700 * 4096 + 1023 * 4)..(700 * 4096 + 1024 * 4)]);
    }

    [Fact]
    public void Cursor_Pixels_AreArgbArrowWithShadow()
    {
        using var sim = Open("");
        Query(sim, Primary, out _);
        Query(sim, Cursor, out var cursor);
        byte[] bytes = ReadDmaBuf(sim, cursor.dmabuf_id, (int)cursor.size);

        // Shape 0: the tip (1, 1) is on the black outline; (3, 11) is inside (white); (0, 0) is
        // transparent; (29, 30) is two pixels down and right of the arrow's bottom edge point
        // (27, 28), outside the arrow: shadow, black at alpha 128. ARGB8888 bytes are B, G, R, A.
        Assert.Equal(new byte[] { 0, 0, 0, 255 }, Pixel(bytes, 1, 1));
        Assert.Equal(new byte[] { 255, 255, 255, 255 }, Pixel(bytes, 3, 11));
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, Pixel(bytes, 0, 0));
        Assert.Equal(new byte[] { 0, 0, 0, 128 }, Pixel(bytes, 29, 30));

        static byte[] Pixel(byte[] b, int x, int y) => b[(y * 256 + x * 4)..(y * 256 + x * 4 + 4)];
    }

    [Fact]
    public void Determinism_TwoInstancesGiveTheSamePixelsForTheSameFrame()
    {
        foreach (string options in new[] { "", "gvt,format=XR30", "mbochs" })
        {
            Assert.Equal(Hashes(options), Hashes(options));
        }

        static List<string> Hashes(string options)
        {
            using var sim = Open(options);
            var hashes = new List<string>();
            for (int frame = 0; frame < 160; frame++)
            {
                int rc = Query(sim, Primary, out var info);
                if (frame is 37 or 38 or 150 && rc == 0 && info.size != 0)
                {
                    hashes.Add($"{frame}:{Convert.ToHexString(SHA256.HashData(ReadDmaBuf(sim, info.dmabuf_id, (int)info.size)))}");
                }
            }

            Assert.Equal(3, hashes.Count);
            return hashes;
        }
    }

    [Fact]
    public void FrameCounter_ShowsTheFrameNumber()
    {
        using var sim = Open("");
        byte[] truth = sim.RenderPrimaryTruth(10, out _);

        // Digits are 5x7 cells scaled 4x, 24 px apart, starting at (8 + 4, 8 + 4). Frame 10 shows
        // "00000010": cell 6 is '1' (column 2 lit in every row), cell 7 is '0' (row 3 = X.X.X).
        int Lit(int cell, int col, int row) => truth[(((12 + row * 4 + 1) * 1024) + 12 + cell * 24 + col * 4 + 1) * 4];
        for (int row = 0; row < 7; row++)
        {
            Assert.Equal(255, Lit(6, 2, row));
        }

        Assert.Equal(0, Lit(6, 0, 0));
        Assert.Equal(new[] { 255, 0, 255, 0, 255 }, Enumerable.Range(0, 5).Select(c => Lit(7, c, 3)));
        Assert.Equal(new[] { 0, 255, 255, 255, 0 }, Enumerable.Range(0, 5).Select(c => Lit(5, c, 0))); // '0' row 0 = .XXX.
    }

    [Theory]
    [InlineData("")]
    [InlineData("gvt,format=XR30")]
    [InlineData("mbochs")]
    [InlineData("mdpy")]
    public void SteadyState_QueryingBothPlanesAllocatesNothing(string options)
    {
        using var sim = Open(options);
        uint kind = options == "mdpy" ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
        Skip(sim, 60, kind); // both page-flip buffers exist, and the JIT has settled

        // Three windows of 10 frames, all within the base mode (frames 60 to 90).
        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Query(sim, Primary, out _, kind);
                Query(sim, Cursor, out _, kind);
            }
        });

        Assert.True(least == 0, counts);
    }

    [Theory]
    [InlineData("gvt")]
    [InlineData("gvt,tiling=y,format=AB24")]
    [InlineData("format=YUYV")]
    public void PartialRedraws_LeaveTheSameBytesAsAFullEncodingOfTheTruth(string options)
    {
        using var sim = Open(options);
        for (int frame = 0; frame < 40; frame++)
        {
            Assert.Equal(0, Query(sim, Primary, out var info));
            if (frame < 8 || (GuestScript.At(frame, sim.BaseMode).BoxX % 2 == 0 && frame % 10 != 0))
            {
                continue; // check frames whose box starts on an odd column, and a few others
            }

            byte[] truth = sim.RenderPrimaryTruth(frame, out SimMode mode);
            byte[] expected = new byte[info.size];
            PixelEncoder.EncodeRect(truth, mode.Width, 0, 0, mode.Width, mode.Height, expected, info.drm_format, info.drm_format_mod, (int)info.stride);
            Assert.True(expected.AsSpan().SequenceEqual(ReadDmaBuf(sim, info.dmabuf_id, (int)info.size)), $"frame {frame} differs from a full encoding");
        }
    }

    [Fact]
    public void Rgb565_WhiteBarIsAllOnes_AndStrideIsTwoBytesAPixel()
    {
        using var sim = Open("format=RG16,800x600");
        Query(sim, Primary, out _);
        Assert.Equal(0, Query(sim, Primary, out var info));
        Assert.Equal((DrmFourcc.RGB565, 1600u, 1600u * 600), (info.drm_format, info.stride, info.size));
        byte[] bytes = ReadDmaBuf(sim, info.dmabuf_id, (int)info.size);
        Assert.Equal(new byte[] { 0xFF, 0xFF }, bytes[0..2]);                              // white
        Assert.Equal(new byte[] { 0xE0, 0xFF }, bytes[(300 * 1600 + 150 * 2)..(300 * 1600 + 150 * 2 + 2)]); // yellow: R 31, G 63, B 0
    }
}
