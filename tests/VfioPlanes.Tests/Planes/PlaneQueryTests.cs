using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Planes;

public class PlaneQueryTests
{
    private static (FakeVfioDevice Fake, PlaneQuery Query) Make(vfio_device_gfx_plane_info? primary, vfio_device_gfx_plane_info? cursor = null)
    {
        var fake = new FakeVfioDevice { Name = "sim:gvt" };
        fake.SetPlane(PlaneType.Primary, primary);
        fake.SetPlane(PlaneType.Cursor, cursor);
        return (fake, new PlaneQuery(fake.Open()));
    }

    [Fact]
    public void Query_GoodPrimary_IsEnabledWithEveryField()
    {
        var (_, query) = Make(FakeVfioDevice.Plane(7, 1024, 768, stride: 4096, size: 4096 * 768));

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Enabled, r.Status);
        Assert.Null(r.Message);
        Assert.Equal(PlaneBufferKind.DmaBuf, r.Info.Kind);
        Assert.Equal(PlaneType.Primary, r.Info.Plane);
        Assert.Equal(7u, r.Info.Id);
        Assert.Equal(1024u, r.Info.Width);
        Assert.Equal(768u, r.Info.Height);
        Assert.Equal(4096u, r.Info.Stride);
        Assert.Equal(DrmFourcc.XRGB8888, r.Info.Fourcc);
        Assert.False(r.Info.HasHotspot);
    }

    [Fact]
    public void Query_PrimaryWithHotspotFieldsZero_HasNoHotspot()
    {
        // mbochs and GVT-g answer x_hot = y_hot = 0 for a primary plane: that is no hotspot.
        var (_, query) = Make(FakeVfioDevice.Plane(7, hotX: 0, hotY: 0), FakeVfioDevice.Plane(8, 64, 64, fourcc: DrmFourcc.ARGB8888, hotX: 0, hotY: 0));

        Assert.False(query.Query(PlaneType.Primary).Info.HasHotspot);
        Assert.True(query.Query(PlaneType.Cursor).Info.HasHotspot); // a cursor's 0,0 is its top left pixel
    }

    private static readonly Dictionary<string, vfio_device_gfx_plane_info> s_bad = new()
    {
        ["unknown fourcc"] = FakeVfioDevice.Plane(1, fourcc: 0x34325258 + 1),
        ["unknown modifier"] = FakeVfioDevice.Plane(1, modifier: 0x0200000000000001),
        ["width over 16384"] = FakeVfioDevice.Plane(1, width: 16385, height: 1),
        ["height over 16384"] = FakeVfioDevice.Plane(1, width: 1, height: 16385),
        ["stride below width"] = FakeVfioDevice.Plane(1, stride: 100),
        ["stride below width 565"] = FakeVfioDevice.Plane(1, fourcc: DrmFourcc.RGB565, stride: 1279),
        ["size below stride x height"] = FakeVfioDevice.Plane(1, size: (640 * 4 * 480) - 1),
        ["x-tiled stride not whole tiles"] = FakeVfioDevice.Plane(1, stride: 2600, size: 2600 * 480, modifier: DrmModifier.I915XTiled),
        ["y-tiled stride below width"] = FakeVfioDevice.Plane(1, stride: 2048, size: 2048 * 480, modifier: DrmModifier.I915YTiled),
        ["x-tiled size not whole tile rows"] = FakeVfioDevice.Plane(1, height: 479, stride: 3072, size: 3072 * 479, modifier: DrmModifier.I915XTiled),
        ["size over 2 GiB"] = FakeVfioDevice.Plane(1, size: 0x80000000),
        ["all zero"] = default,
        ["format 0"] = FakeVfioDevice.Plane(3, fourcc: 0),
        ["width 0"] = FakeVfioDevice.Plane(3, width: 0, stride: 2560),
        ["height 0"] = FakeVfioDevice.Plane(3, height: 0, size: 4096),
        ["size 0"] = FakeVfioDevice.Plane(3, size: 0),
    };

    [Theory]
    [InlineData("unknown fourcc", "drm_format 0x34325259 ('YR24') is not a format this viewer knows")]
    [InlineData("unknown modifier", "drm_format_mod 0x200000000000001 is not a known modifier")]
    [InlineData("width over 16384", "width 16385 is over 16384")]
    [InlineData("height over 16384", "height 16385 is over 16384")]
    [InlineData("stride below width", "sim:gvt: primary plane: stride 100 is below width 640 × 4 bytes of XR24")]
    [InlineData("stride below width 565", "stride 1279 is below width 640 × 2 bytes of RG16")]
    [InlineData("size below stride x height", "size 1228799 is below stride 2560 × height 480 = 1228800")]
    [InlineData("x-tiled stride not whole tiles", "stride 2600 of a I915_X_TILED plane is not a whole number of 512-byte tiles covering width 640 × 4 bytes")]
    [InlineData("y-tiled stride below width", "stride 2048 of a I915_Y_TILED plane is not a whole number of 128-byte tiles covering width 640 × 4 bytes")]
    [InlineData("x-tiled size not whole tile rows", "size 1471488 is below stride 3072 × 480 rows (height 479 rounded up to whole tiles) = 1474560")]
    [InlineData("size over 2 GiB", "size 2147483648 is over the 2147483647 bytes a plane may have here")]
    public void Query_BadPrimary_IsInvalidWithMessageNamingDevicePlaneAndField(string rule, string expected)
    {
        var (_, query) = Make(s_bad[rule]);

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.True(r.Status == PlaneStatus.Invalid, rule);
        Assert.StartsWith("sim:gvt: primary plane: ", r.Message);
        Assert.Contains(expected, r.Message);
    }

    [Fact]
    public void Query_CursorOver512_IsInvalid_ButSamePrimaryIsFine()
    {
        var (_, query) = Make(FakeVfioDevice.Plane(1, 600, 64), FakeVfioDevice.Plane(2, 600, 64, fourcc: DrmFourcc.ARGB8888));

        Assert.Equal(PlaneStatus.Enabled, query.Query(PlaneType.Primary).Status);
        PlaneQueryResult cursor = query.Query(PlaneType.Cursor);

        Assert.Equal(PlaneStatus.Invalid, cursor.Status);
        Assert.Equal("sim:gvt: cursor plane: cursor 600x64 is larger than 512 px", cursor.Message);
    }

    [Fact]
    public void Query_OddWidthYuyvWithStrideOfWidthTimesTwo_IsInvalid()
    {
        // 1023 pixels of packed 4:2:2 end with a whole pair: 512 pairs of 4 bytes = 2048, not 2046.
        var (_, query) = Make(FakeVfioDevice.Plane(1, 1023, 4, fourcc: DrmFourcc.YUYV, stride: 2046, size: 2048 * 4));

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Invalid, r.Status);
        Assert.Equal("sim:gvt: primary plane: stride 2046 is below width 1023 as 512 pixel pairs × 4 bytes of YUYV = 2048", r.Message);
    }

    [Fact]
    public void Query_OddWidthYuyvWithAWholeFinalPair_IsEnabledAndConverts()
    {
        var (_, query) = Make(FakeVfioDevice.Plane(1, 1023, 4, fourcc: DrmFourcc.YUYV, stride: 2048, size: 2048 * 4));

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Enabled, r.Status);
        // What validation lets through, the converter takes.
        PixelConverter.ToRgba(new byte[2048 * 4], PlaneLayout.FromPlane(r.Info), new byte[1023 * 4 * 4], 1023 * 4, false);
    }

    [Fact]
    public void Query_YfTiledWithWholeTiles_IsAccepted()
    {
        // Yf is refused by CPU capture (which cannot detile it), not by the query: a GPU imports it.
        var (_, query) = Make(FakeVfioDevice.Plane(1, 640, 480, stride: 2560, size: 2560 * 480, modifier: DrmModifier.I915YfTiled));

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Enabled, r.Status);
        Assert.Equal(DrmModifier.I915YfTiled, r.Info.Modifier);
    }

    [Fact]
    public void Query_AllOfFormatWidthHeightAndSizeZero_IsDisabled()
    {
        var (_, query) = Make(s_bad["all zero"]);

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Disabled, r.Status);
        Assert.Null(r.Message);
    }

    [Theory]
    [InlineData("format 0", "drm_format is 0 but not all of drm_format, width, height and size (drm_format 0x00000000, 640x480, size 1228800)")]
    [InlineData("width 0", "width is 0 but not all of drm_format, width, height and size (drm_format 0x34325258, 0x480, size 1228800)")]
    [InlineData("height 0", "height is 0 but not all of drm_format, width, height and size (drm_format 0x34325258, 640x0, size 4096)")]
    [InlineData("size 0", "size is 0 but not all of drm_format, width, height and size (drm_format 0x34325258, 640x480, size 0)")]
    public void Query_SomeButNotAllOfFormatWidthHeightAndSizeZero_IsInvalidNamingThem(string what, string expected)
    {
        // linux/vfio.h: a disabled plane has drm_format, size, width and height 0; half of that is no contract.
        var (_, query) = Make(s_bad[what]);

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Invalid, r.Status);
        Assert.Equal($"sim:gvt: primary plane: {expected}: a disabled plane has all four 0, a shown one none", r.Message);
    }

    [Fact]
    public void Query_WidthAndSizeZero_NamesBoth()
    {
        var (_, query) = Make(FakeVfioDevice.Plane(3, width: 0, stride: 2560, size: 0));

        Assert.StartsWith("sim:gvt: primary plane: width and size are 0 but not all", query.Query(PlaneType.Primary).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mbochs")]
    [InlineData("gvt")]
    [InlineData("mdpy")]
    [InlineData("cursor=off")]
    public void Query_EverySimPersonality_AnswersDisabledAsTheContractSays(string options)
    {
        // The disabled display (frames 100-119) and a missing cursor read as disabled, never invalid:
        // mbochs zeroes its answer, GVT-g echoes the zeroed struct, mdpy never disables.
        using var device = VgpuDevice.ForTest(SimulatedDevices.Open(options), "sim:" + options, presencePath: null);
        var query = new PlaneQuery(device);
        int primaryDisabled = 0;
        for (int frame = 0; frame < GuestScript.CycleLength; frame++)
        {
            PlaneQueryResult primary = query.Query(PlaneType.Primary);
            PlaneQueryResult cursor = query.Query(PlaneType.Cursor);
            Assert.True(primary.Status is PlaneStatus.Enabled or PlaneStatus.Disabled or PlaneStatus.Transient, $"frame {frame}: {primary.Message}");
            Assert.True(cursor.Status is PlaneStatus.Enabled or PlaneStatus.Disabled, $"frame {frame}: {cursor.Message}");
            primaryDisabled += primary.Status == PlaneStatus.Disabled ? 1 : 0;
        }

        Assert.Equal(options == "mdpy" ? 0 : GuestScript.AlternateStart - GuestScript.DisabledStart, primaryDisabled);
    }

    [Fact]
    public void Query_GvtEchoesTheStructWhenDisabled_StillReadsDisabledBecauseTheStructWasZeroed()
    {
        var (fake, query) = Make(FakeVfioDevice.Plane(5, 1920, 1080));
        fake.EchoWhenDisabled = true;
        Assert.Equal(PlaneStatus.Enabled, query.Query(PlaneType.Primary).Status);

        fake.SetPlane(PlaneType.Primary, null);
        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Disabled, r.Status);
        vfio_device_gfx_plane_info sent = fake.LastSent;
        Assert.Equal(64u, sent.argsz);
        Assert.Equal(VFIO_GFX_PLANE_TYPE_DMABUF, sent.flags);
        Assert.Equal(DRM_PLANE_TYPE_PRIMARY, sent.drm_plane_type);
        Assert.Equal(0u, sent.drm_format);
        Assert.Equal(0ul, sent.drm_format_mod);
        Assert.Equal(0u, sent.width | sent.height | sent.stride | sent.size | sent.dmabuf_id | sent.x_hot | sent.reserved);
    }

    [Fact]
    public void Query_EnomemThenSuccess_IsTransientThenEnabled()
    {
        var (fake, query) = Make(FakeVfioDevice.Plane(9));
        fake.QueryErrors[PlaneType.Primary].Enqueue(Errno.ENOMEM);

        PlaneQueryResult first = query.Query(PlaneType.Primary);
        PlaneQueryResult second = query.Query(PlaneType.Primary);

        Assert.Equal(PlaneStatus.Transient, first.Status);
        Assert.Equal(Errno.ENOMEM, first.Errno);
        Assert.Equal(PlaneStatus.Enabled, second.Status);
        Assert.Equal(9u, second.Info.Id);
    }

    [Theory]
    [InlineData(Errno.ENODEV, PlaneStatus.Gone)]
    [InlineData(Errno.EIO, PlaneStatus.Gone)]
    [InlineData(Errno.ENXIO, PlaneStatus.Gone)]
    [InlineData(Errno.EAGAIN, PlaneStatus.Transient)]
    [InlineData(Errno.EINTR, PlaneStatus.Transient)]
    [InlineData(Errno.EFAULT, PlaneStatus.Invalid)]
    public void Query_Errno_MapsToStatus(int errno, PlaneStatus expected)
    {
        var (fake, query) = Make(FakeVfioDevice.Plane(9));
        fake.QueryErrors[PlaneType.Primary].Enqueue(errno);

        PlaneQueryResult r = query.Query(PlaneType.Primary);

        Assert.Equal(expected, r.Status);
        Assert.Equal(errno, r.Errno);
        if (expected != PlaneStatus.Transient)
        {
            Assert.StartsWith("sim:gvt: primary plane: VFIO_DEVICE_QUERY_GFX_PLANE failed: ", r.Message);
            Assert.Contains(Errno.Name(errno), r.Message);
        }
    }

    [Fact]
    public void Query_MdpyCursorRepeatsPrimaryRegion_IsDisabledNotInvalid()
    {
        var fake = new FakeVfioDevice { Name = "sim:mdpy", SupportsDmaBuf = false, SupportsRegion = true };
        vfio_device_gfx_plane_info mdpy = FakeVfioDevice.Plane(16, 1024, 768);
        fake.SetPlane(PlaneType.Primary, mdpy);
        fake.SetPlane(PlaneType.Cursor, mdpy);
        var query = new PlaneQuery(fake.Open());

        PlaneQueryResult primary = query.Query(PlaneType.Primary);
        PlaneQueryResult cursor = query.Query(PlaneType.Cursor);

        Assert.Equal(PlaneStatus.Enabled, primary.Status);
        Assert.Equal(PlaneBufferKind.Region, primary.Info.Kind);
        Assert.Equal(VFIO_GFX_PLANE_TYPE_REGION, fake.LastSent.flags);
        Assert.Equal(PlaneStatus.Disabled, cursor.Status);
        Assert.Null(cursor.Message);
    }

    [Fact]
    public void Query_CursorRepeatingAnInvalidPrimary_IsDisabled_SoTheProblemIsReportedOnce()
    {
        var fake = new FakeVfioDevice { SupportsDmaBuf = false, SupportsRegion = true };
        vfio_device_gfx_plane_info bad = FakeVfioDevice.Plane(16, 1024, 768, stride: 64);
        fake.SetPlane(PlaneType.Primary, bad);
        fake.SetPlane(PlaneType.Cursor, bad);
        var query = new PlaneQuery(fake.Open());

        Assert.Equal(PlaneStatus.Invalid, query.Query(PlaneType.Primary).Status);
        Assert.Equal(PlaneStatus.Disabled, query.Query(PlaneType.Cursor).Status);
    }

    [Fact]
    public void Query_CursorFirst_AsksThePrimaryOnceToRecogniseARepeat()
    {
        var fake = new FakeVfioDevice { SupportsDmaBuf = false, SupportsRegion = true };
        vfio_device_gfx_plane_info mdpy = FakeVfioDevice.Plane(16, 1024, 768);
        fake.SetPlane(PlaneType.Primary, mdpy);
        fake.SetPlane(PlaneType.Cursor, mdpy);
        var query = new PlaneQuery(fake.Open());

        Assert.Equal(PlaneStatus.Disabled, query.Query(PlaneType.Cursor).Status);
        Assert.Equal(2, fake.QueryCount);
        Assert.Equal(PlaneStatus.Disabled, query.Query(PlaneType.Cursor).Status);
        Assert.Equal(3, fake.QueryCount);
    }

    [Fact]
    public void Query_DmaBufCursorWithPrimaryLayout_IsDisabled_ButARealCursorIsEnabled()
    {
        vfio_device_gfx_plane_info primary = FakeVfioDevice.Plane(4, 256, 256);
        var (fake, query) = Make(primary, primary);
        query.Query(PlaneType.Primary);
        Assert.Equal(PlaneStatus.Disabled, query.Query(PlaneType.Cursor).Status);

        fake.SetPlane(PlaneType.Cursor, FakeVfioDevice.Plane(5, 64, 64, fourcc: DrmFourcc.ARGB8888, x: -3, y: 10, hotX: 1, hotY: 2));
        PlaneQueryResult cursor = query.Query(PlaneType.Cursor);

        Assert.Equal(PlaneStatus.Enabled, cursor.Status);
        Assert.Equal(-3, cursor.Info.X);
        Assert.True(cursor.Info.HasHotspot);
        Assert.Equal(DRM_PLANE_TYPE_CURSOR, fake.LastSent.drm_plane_type);
    }

    [Fact]
    public void Query_SteadyState_AllocatesNothing()
    {
        var (_, query) = Make(FakeVfioDevice.Plane(1), FakeVfioDevice.Plane(2, 64, 64, fourcc: DrmFourcc.ARGB8888));
        query.Query(PlaneType.Primary);
        query.Query(PlaneType.Cursor);

        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                query.Query(PlaneType.Primary);
                query.Query(PlaneType.Cursor);
            }
        });

        Assert.True(least == 0, counts);
    }
}
