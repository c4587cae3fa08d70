using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Simulation.SimulatedVgpu;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class PersonalityTests
{
    [Fact]
    public void Mbochs_CursorQuery_SucceedsZeroed()
    {
        using var sim = Open("mbochs");
        Query(sim, Primary, out _);
        var info = new vfio_device_gfx_plane_info
        {
            argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = Cursor,
            drm_format = 1, width = 2, height = 3, stride = 4, size = 5, x_pos = 6, y_pos = 7, x_hot = 8, y_hot = 9, dmabuf_id = 10,
        };
        Assert.Equal(0, sim.QueryGfxPlane(ref info));
        Assert.Equal(
            (0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u),
            (info.drm_format, info.width, info.height, info.stride, info.size, info.x_pos, info.y_pos, info.x_hot, info.y_hot, info.dmabuf_id));
    }

    [Fact]
    public void Mbochs_RegionInfoWithArgszBeyondItsReply_FailsEinval()
    {
        using var sim = Open("mbochs");

        Assert.Equal(0, RegionInfo(sim, 0, 32, out _, out _));
        Assert.Equal(0, RegionInfo(sim, SimEdidRegion.Index, 48, out vfio_region_info edid, out _));
        Assert.Equal(48u, edid.argsz);
        Assert.Equal(Errno.EINVAL, RegionInfo(sim, 0, 49, out _, out _));
        Assert.Equal(Errno.EINVAL, RegionInfo(sim, 0, 256, out _, out _));
        using var gvt = Open("gvt");
        Assert.Equal(0, RegionInfo(gvt, 0, 256, out _, out _)); // the others take any argsz
    }

    [Fact]
    public void Mbochs_FirstQueryAfterTheOpenAndAfterEachModeChange_FailsEnomemThenSucceeds()
    {
        using var sim = Open("mbochs");
        for (long frame = 0; frame < 2 * GuestScript.CycleLength; frame++)
        {
            int rc = Query(sim, Primary, out var info);
            long c = frame % GuestScript.CycleLength;
            // Frame 0 is the first query after the open; frame 240 starts a cycle in the mode frame 239 had.
            if (frame == 0 || c is GuestScript.AlternateStart or GuestScript.BaseAgainStart)
            {
                Assert.Equal(Errno.ENOMEM, rc);
            }
            else
            {
                Assert.Equal(0, rc);
            }

            if (c is GuestScript.AlternateStart + 1)
            {
                Assert.Equal((800u, 600u), (info.width, info.height));
            }
        }
    }

    [Fact]
    public void Mbochs_Disabled_IsAllZero()
    {
        using var sim = Open("mbochs");
        Skip(sim, GuestScript.DisabledStart);
        Assert.Equal(0, Query(sim, Primary, out var info));
        Assert.Equal((0u, 0u, 0u, 0u, 0u, 0u), (info.drm_format, info.width, info.height, info.stride, info.size, info.dmabuf_id));
    }

    [Fact]
    public void Mbochs_IdsOnlyGrow_AndComeBackWithTheirMode()
    {
        using var sim = Open("mbochs");
        var idsByMode = new Dictionary<(uint, uint, long), uint>();
        uint highest = 0;
        for (long frame = 0; frame < 2 * GuestScript.CycleLength; frame++)
        {
            if (Query(sim, Primary, out var info) != 0 || info.size == 0)
            {
                continue;
            }

            var key = (info.width, info.height, frame % 2);
            if (idsByMode.TryGetValue(key, out uint known))
            {
                Assert.Equal(known, info.dmabuf_id);
            }
            else
            {
                Assert.True(info.dmabuf_id > highest, $"frame {frame}: new id {info.dmabuf_id} is not above {highest}");
                idsByMode[key] = info.dmabuf_id;
            }

            highest = Math.Max(highest, info.dmabuf_id);
        }

        Assert.Equal(4, idsByMode.Count); // two modes, two page-flip buffers each
    }

    [Fact]
    public void Mbochs_RejectsFormatsOtherThanXr24()
    {
        var e = Assert.Throws<SimOptionsException>(() => SimulatedDevices.Open("mbochs,format=AR24"));
        Assert.Contains("format=AR24", e.Message);
    }

    [Fact]
    public void Gvt_Primary_IsXTiledWithStrideOfWholeTilesAndSizeOfWholeTileRows()
    {
        using var sim = Open("gvt,1000x750");
        Assert.Equal(0, Query(sim, Primary, out var info));
        Assert.Equal(DrmModifier.I915XTiled, info.drm_format_mod);
        Assert.Equal(4096u, info.stride);           // 1000 * 4 = 4000 rounded up to 512
        Assert.Equal(4096u * 752, info.size);       // 750 rows rounded up to 8
    }

    [Fact]
    public void Gvt_TilingY_ReportsYTiledModifier()
    {
        using var sim = Open("gvt,tiling=y");
        Query(sim, Primary, out var info);
        Assert.Equal(DrmModifier.I915YTiled, info.drm_format_mod);
    }

    [Fact]
    public void Gvt_Disabled_EchoesTheStructAsSent()
    {
        using var sim = Open("gvt");
        Skip(sim, GuestScript.DisabledStart);
        var sent = new vfio_device_gfx_plane_info
        {
            argsz = 64, flags = VFIO_GFX_PLANE_TYPE_DMABUF, drm_plane_type = Primary,
            drm_format = 0x11, drm_format_mod = 0x22, width = 0x33, height = 0x44, stride = 0x55, size = 0x66,
            x_pos = 0x77, y_pos = 0x88, x_hot = 0x99, y_hot = 0xAA, dmabuf_id = 0xBB, reserved = 0xCC,
        };
        var info = sent;
        Assert.Equal(0, sim.QueryGfxPlane(ref info));
        Assert.Equal(sent, info);

        var cursor = sent with { drm_plane_type = Cursor };
        var cursorSent = cursor;
        Assert.Equal(0, sim.QueryGfxPlane(ref cursor));
        Assert.Equal(cursorSent, cursor);
    }

    [Fact]
    public void Gvt_FreedIds_AreHandedOutAgainAfterAModeChange()
    {
        using var sim = Open("gvt");
        Query(sim, Primary, out var a);
        Query(sim, Primary, out var b);
        Skip(sim, GuestScript.AlternateStart - 2);
        Query(sim, Primary, out var c);
        Query(sim, Primary, out var d);
        Assert.Equal((800u, 600u), (c.width, c.height));

        // The 1024x768 buffers were freed; their ids now name 800x600 buffers: same id, new layout.
        Assert.Equal(new[] { a.dmabuf_id, b.dmabuf_id }.Order(), new[] { c.dmabuf_id, d.dmabuf_id }.Order());
        Assert.Equal(0, sim.GetGfxDmaBuf(c.dmabuf_id, out SafeFdHandle? fd));
        fd!.Dispose();
    }

    [Fact]
    public void Gvt_Cursor_HasHotspotOrNoHotspotMarker()
    {
        using var sim = Open("gvt");
        Query(sim, Primary, out _);
        Query(sim, Cursor, out var withHotspot);
        Assert.Equal(DrmFourcc.ARGB8888, withHotspot.drm_format);
        Assert.Equal((64u, 64u), (withHotspot.width, withHotspot.height));
        Assert.Equal((1u, 1u), (withHotspot.x_hot, withHotspot.y_hot));

        Skip(sim, GuestScript.NoHotspotStart); // the guest is now at frame 220
        Query(sim, Cursor, out var without);
        Assert.Equal((VFIO_GFX_NO_HOTSPOT, VFIO_GFX_NO_HOTSPOT), (without.x_hot, without.y_hot));
    }

    [Fact]
    public void Gvt_Xr30_PixelsAreTenBitXTiled()
    {
        using var sim = Open("gvt,format=XR30");
        Query(sim, Primary, out var info);
        Assert.Equal(DrmFourcc.XRGB2101010, info.drm_format);
        byte[] bytes = ReadDmaBuf(sim, info.dmabuf_id, (int)info.size);

        // Pixel (1020, 300): the last bar, black. Pixel (200, 300): the second bar, yellow (R, G
        // 1023, B 0) = 0x3FFFFC00. x = 200 is byte 800 of the row: tile column 1, byte 288; row 300
        // is tile row 37, row 4 in its tile; 8 tiles per row: tile 37 * 8 + 1 = 297.
        int at = 297 * 4096 + 4 * 512 + 288;
        Assert.Equal(new byte[] { 0x00, 0xFC, 0xFF, 0x3F }, bytes[at..(at + 4)]);
    }

    [Fact]
    public void Mdpy_AlwaysReturnsItsFixedRegionPlane()
    {
        using var sim = Open("mdpy");
        for (int frame = 0; frame < GuestScript.CycleLength; frame++)
        {
            Assert.Equal(0, Query(sim, Primary, out var info, VFIO_GFX_PLANE_TYPE_REGION));
            Assert.Equal(DrmFourcc.XRGB8888, info.drm_format);
            // mdpy_query_gfx_plane reports size = memsize, its framebuffer rounded up to a power
            // of two: 4096 * 768 bytes (3 MiB) makes 4 MiB.
            Assert.Equal((1024u, 768u, 4096u, 4u << 20), (info.width, info.height, info.stride, info.size));
            Assert.Equal(SimRegionTable.MdpyDisplayRegion, info.dmabuf_id);
        }
    }

    [Fact]
    public void Mdpy_CursorQuery_RepeatsThePrimaryPlane()
    {
        using var sim = Open("mdpy");
        Query(sim, Primary, out var primary, VFIO_GFX_PLANE_TYPE_REGION);
        Assert.Equal(0, Query(sim, Cursor, out var cursor, VFIO_GFX_PLANE_TYPE_REGION));
        Assert.Equal(primary with { drm_plane_type = Cursor }, cursor);
    }

    [Fact]
    public void Mdpy_GetGfxDmaBuf_IsEnotty()
    {
        using var sim = Open("mdpy");
        Query(sim, Primary, out var info, VFIO_GFX_PLANE_TYPE_REGION);
        Assert.Equal(Errno.ENOTTY, sim.GetGfxDmaBuf(info.dmabuf_id, out SafeFdHandle? fd));
        Assert.Null(fd);
    }

    [Fact]
    public void Mdpy_PreadIgnoresTheOffset_MmapDoesNot()
    {
        using var sim = Open("mdpy");
        Query(sim, Primary, out _, VFIO_GFX_PLANE_TYPE_REGION);
        Query(sim, Primary, out var plane, VFIO_GFX_PLANE_TYPE_REGION); // frame 1: the box has left (0, 0)
        Assert.Equal(0, RegionInfo(sim, plane.dmabuf_id, 32, out var region, out _));
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out var bar0, out _));
        Assert.Equal((bar0.offset, bar0.size), (region.offset, region.size));

        // Row 700 starts the grey ramp with black; row 0 starts with the white bar.
        long row700 = (long)region.offset + 700 * 4096;
        byte[] read = new byte[4];
        Assert.Equal(0, sim.Read(read, row700, out int n));
        Assert.Equal(4, n);
        Assert.Equal(new byte[] { 255, 255, 255, 0 }, read);

        using SafeMappedRegion map = sim.Map((long)region.offset, (long)region.size, writable: false);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, map.GetSpan().Slice(700 * 4096, 4).ToArray());
        Assert.Equal(new byte[] { 255, 255, 255, 0 }, map.GetSpan()[..4].ToArray());
    }

    [Fact]
    public void Mdpy_RejectsModesItCannotSetWithEdidAndHasNoEdidRegion()
    {
        using var sim = Open("mdpy");
        var dev = new vfio_device_info { argsz = 24 };
        Assert.Equal(0, sim.GetDeviceInfo(ref dev));
        Assert.Equal(VFIO_PCI_NUM_REGIONS, dev.num_regions);
        Assert.Equal(Errno.EINVAL, RegionInfo(sim, SimEdidRegion.Index, 64, out _, out _));
    }

    [Fact]
    public void Mdpy_WhileTheGuestIsDisabled_KeepsShowingTheLastPicture()
    {
        using var sim = Open("mdpy");
        Skip(sim, GuestScript.DisabledStart, VFIO_GFX_PLANE_TYPE_REGION);
        RegionInfo(sim, MdpyRegion(sim), 32, out var region, out _);
        using SafeMappedRegion map = sim.Map((long)region.offset, (long)region.size, writable: false);
        byte[] at99 = map.GetSpan().ToArray();
        Skip(sim, 10, VFIO_GFX_PLANE_TYPE_REGION); // frames 100-109: disabled
        Assert.True(at99.AsSpan().SequenceEqual(map.GetSpan()));

        // The truth for a disabled frame is frame 99's picture; decode XR24 here (B, G, R, X).
        byte[] truth = sim.RenderPrimaryTruth(sim.CurrentFrame, out _);
        for (int i = 0; i < 1024 * 768; i++)
        {
            Assert.True(at99[i * 4] == truth[i * 4 + 2] && at99[i * 4 + 1] == truth[i * 4 + 1] && at99[i * 4 + 2] == truth[i * 4], $"pixel {i}");
        }
    }

    private static uint MdpyRegion(SimulatedVgpu sim)
    {
        Query(sim, Cursor, out var info, VFIO_GFX_PLANE_TYPE_REGION);
        return info.dmabuf_id;
    }
}
