using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Planes;

public class FrameSourceTests
{
    private static readonly vfio_device_gfx_plane_info s_primary = FakeVfioDevice.Plane(1, 320, 200);
    private static readonly vfio_device_gfx_plane_info s_cursor = FakeVfioDevice.Plane(2, 64, 64, fourcc: DrmFourcc.ARGB8888, x: 10, y: 20, hotX: 3, hotY: 4);

    private static (FakeVfioDevice Fake, FrameSource Source) Make(string name = "sim:gvt")
    {
        var fake = new FakeVfioDevice { Name = name };
        fake.SetPlane(PlaneType.Primary, s_primary);
        fake.SetPlane(PlaneType.Cursor, s_cursor);
        return (fake, new FrameSource(fake.Open()));
    }

    [Fact]
    public void Next_FirstFrame_EnablesBothPlanes()
    {
        var (_, source) = Make();
        var frame = new Frame();

        Assert.Equal(FrameStatus.Ok, source.Next(frame));

        Assert.Equal(1, frame.Number);
        Assert.Equal(PlaneEvents.Enabled, frame.Primary.Events);
        Assert.Equal(PlaneEvents.Enabled, frame.Cursor.Events);
        Assert.Equal(1u, frame.Primary.DmaBuf!.Id);
        Assert.Equal(2u, frame.Cursor.DmaBuf!.Id);
        Assert.Equal(10, frame.Cursor.Info.X);
        Assert.True(frame.Primary.DmaBuf.IsInUse);
        Assert.Same(frame.Cursor, frame[PlaneType.Cursor]);
    }

    [Fact]
    public void Next_UnchangedFrame_CostsTwoQueriesAndTwoHits_AndNoEvents()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        source.Next(frame);
        int queries = fake.QueryCount;
        CacheCounters before = source.Cache.Counters;

        source.Next(frame);

        Assert.Equal(queries + 2, fake.QueryCount);
        Assert.Equal(2, fake.GetDmaBufCount);
        Assert.Equal(before.Hits + 2, source.Cache.Counters.Hits);
        Assert.Equal(before.Misses, source.Cache.Counters.Misses);
        Assert.False(frame.HasEvents);
        Assert.Equal(2, frame.Number);
    }

    [Fact]
    public void Next_CursorPositionOnly_IsMoved_NewPrimaryId_IsChanged_ThenDisabled()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        source.Next(frame);
        DmaBufEntry firstPrimary = frame.Primary.DmaBuf!;

        fake.SetPlane(PlaneType.Cursor, s_cursor with { x_pos = 11 });
        fake.SetPlane(PlaneType.Primary, s_primary with { dmabuf_id = 7 });
        source.Next(frame);

        Assert.Equal(PlaneEvents.Moved, frame.Cursor.Events);
        Assert.Equal(11, frame.Cursor.Info.X);
        Assert.Equal(PlaneEvents.Changed, frame.Primary.Events);
        Assert.Equal(7u, frame.Primary.DmaBuf!.Id);
        Assert.False(firstPrimary.IsInUse);

        fake.SetPlane(PlaneType.Cursor, null);
        DmaBufEntry cursorEntry = frame.Cursor.DmaBuf!;
        source.Next(frame);

        Assert.Equal(PlaneEvents.Disabled, frame.Cursor.Events);
        Assert.Equal(PlaneStatus.Disabled, frame.Cursor.Status);
        Assert.False(frame.Cursor.IsShown);
        Assert.False(cursorEntry.IsInUse);
        Assert.Equal(PlaneEvents.None, frame.Primary.Events);
    }

    [Fact]
    public void Next_PageFlippingBetweenTwoIds_HitsTheCacheAfterTheFirstOfEach()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        for (int i = 0; i < 20; i++)
        {
            fake.SetPlane(PlaneType.Primary, s_primary with { dmabuf_id = 100u + (uint)(i % 2) });
            source.Next(frame);
            Assert.Equal(i == 0 ? PlaneEvents.Enabled : PlaneEvents.Changed, frame.Primary.Events);
        }

        // 100, 101 and the cursor's 2 were fetched once each; every other lookup hit.
        Assert.Equal(3, fake.GetDmaBufCount);
        Assert.Equal(new CacheCounters(Hits: 37, Misses: 3, Failures: 0, Evictions: 0, OpenFds: 3), source.Cache.Counters);
    }

    [Fact]
    public void Next_TransientQuery_KeepsTheLastGoodPlaneAndRetries()
    {
        var (fake, source) = Make("sim:mbochs");
        var frame = new Frame();
        source.Next(frame);
        DmaBufEntry shown = frame.Primary.DmaBuf!;
        fake.QueryErrors[PlaneType.Primary].Enqueue(Errno.ENOMEM);
        fake.SetPlane(PlaneType.Primary, s_primary with { dmabuf_id = 9 });

        Assert.Equal(FrameStatus.Retried, source.Next(frame));
        Assert.Equal(PlaneStatus.Transient, frame.Primary.Status);
        Assert.Same(shown, frame.Primary.DmaBuf);
        Assert.True(shown.IsInUse);
        Assert.Equal(PlaneEvents.None, frame.Primary.Events);

        Assert.Equal(FrameStatus.Ok, source.Next(frame));
        Assert.Equal(PlaneEvents.Changed, frame.Primary.Events);
        Assert.Equal(9u, frame.Primary.DmaBuf!.Id);
    }

    [Fact]
    public void Next_TransientDmaBufFetch_KeepsTheLastGoodPlaneAndRetries()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        source.Next(frame);
        fake.SetPlane(PlaneType.Primary, s_primary with { dmabuf_id = 9 });
        fake.DmaBufErrors.Enqueue(Errno.EAGAIN);

        Assert.Equal(FrameStatus.Retried, source.Next(frame));
        Assert.Equal(1u, frame.Primary.DmaBuf!.Id);
        Assert.Equal(Errno.EAGAIN, frame.Primary.Errno);
        Assert.Equal(FrameStatus.Ok, source.Next(frame));
        Assert.Equal(9u, frame.Primary.DmaBuf!.Id);
    }

    [Theory]
    [InlineData(Errno.ENODEV)]
    [InlineData(Errno.EIO)]
    public void Next_DeviceRemoved_IsDeviceGoneWithAMessage(int errno)
    {
        var (fake, source) = Make("mdev 1b2c");
        var frame = new Frame();
        source.Next(frame);
        fake.QueryErrors[PlaneType.Primary].Enqueue(errno);

        Assert.Equal(FrameStatus.DeviceGone, source.Next(frame));
        Assert.Equal(FrameStatus.DeviceGone, frame.Status);
        Assert.Equal(PlaneStatus.Gone, frame.Primary.Status);
        Assert.StartsWith("mdev 1b2c: primary plane: VFIO_DEVICE_QUERY_GFX_PLANE failed", frame.Primary.Message);
    }

    [Fact]
    public void Next_DmaBufFetchGone_IsDeviceGone()
    {
        var (fake, source) = Make();
        fake.DmaBufErrors.Enqueue(Errno.ENODEV);

        Assert.Equal(FrameStatus.DeviceGone, source.Next(new Frame()));
    }

    [Fact]
    public void Next_InvalidAnswer_KeepsTheLastGoodBuffer_AndReportsTheProblemOnce()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        source.Next(frame);
        fake.SetPlane(PlaneType.Primary, s_primary with { stride = 16 });

        source.Next(frame);
        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal(PlaneEvents.Failed, frame.Primary.Events);
        Assert.Equal("sim:gvt: primary plane: stride 16 is below width 320 × 4 bytes of XR24", frame.Primary.Message);
        Assert.Equal(1u, frame.Primary.DmaBuf!.Id);

        source.Next(frame);
        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal(PlaneEvents.None, frame.Primary.Events);

        fake.SetPlane(PlaneType.Primary, s_primary);
        source.Next(frame);
        Assert.Equal(PlaneStatus.Enabled, frame.Primary.Status);
        Assert.Equal(PlaneEvents.None, frame.Primary.Events);
        Assert.Null(frame.Primary.Message);
    }

    [Fact]
    public void Next_MdpyRegionPlane_MapsTheRegionAndIgnoresTheRepeatedCursor()
    {
        var fake = new FakeVfioDevice { Name = "sim:mdpy", SupportsDmaBuf = false, SupportsRegion = true };
        const long regionOffset = 64 * 1024;
        fake.Regions[16] = new FakeRegion { Size = 1 << 19, Offset = regionOffset };
        vfio_device_gfx_plane_info plane = FakeVfioDevice.Plane(16, 128, 64);
        fake.SetPlane(PlaneType.Primary, plane);
        fake.SetPlane(PlaneType.Cursor, plane);
        byte[] pixels = new byte[128 * 4 * 64];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i ^ (i >> 8));
        }

        Assert.Equal(0, fake.Write(pixels, regionOffset, out int written));
        Assert.Equal(pixels.Length, written);
        using var source = new FrameSource(fake.Open());
        var frame = new Frame();

        source.Next(frame);

        Assert.Equal(PlaneEvents.Enabled, frame.Primary.Events);
        Assert.NotNull(frame.Primary.Region);
        Assert.Null(frame.Primary.DmaBuf);
        Assert.Equal(PlaneStatus.Disabled, frame.Cursor.Status);
        Assert.Equal(PlaneEvents.None, frame.Cursor.Events);
        using (PlaneMemory read = frame.Primary.BeginCpuRead())
        {
            Assert.True(read.Bytes.SequenceEqual(pixels));
        }

        RegionMapping mapping = frame.Primary.Region;
        fake.SetPlane(PlaneType.Primary, FakeVfioDevice.Plane(16, 256, 128));
        source.Next(frame);
        Assert.Same(mapping, frame.Primary.Region);
        Assert.Equal(256 * 4 * 128, mapping.MappedLength);
        Assert.Equal(PlaneEvents.Changed, frame.Primary.Events);
    }

    [Fact]
    public void Next_RegionPlaneLargerThanItsRegion_IsInvalid()
    {
        var fake = new FakeVfioDevice { Name = "sim:mdpy", SupportsDmaBuf = false, SupportsRegion = true };
        fake.Regions[16] = new FakeRegion { Size = 4096 };
        fake.SetPlane(PlaneType.Primary, FakeVfioDevice.Plane(16, 128, 64));
        using var source = new FrameSource(fake.Open());
        var frame = new Frame();

        source.Next(frame);

        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal("sim:mdpy: primary plane: size 32768 does not fit region 16 of 4096 bytes", frame.Primary.Message);
        Assert.False(frame.Primary.IsShown);
    }

    [Fact]
    public void Next_RegionThatCannotBeMapped_IsInvalidWithTheErrno()
    {
        var fake = new FakeVfioDevice { Name = "sim:mdpy", SupportsDmaBuf = false, SupportsRegion = true };
        fake.Regions[16] = new FakeRegion { Size = 1 << 19, Offset = 100 }; // mmap needs a page-aligned offset: EINVAL
        fake.SetPlane(PlaneType.Primary, FakeVfioDevice.Plane(16, 128, 64));
        using var source = new FrameSource(fake.Open());
        var frame = new Frame();

        Assert.Equal(FrameStatus.Ok, source.Next(frame));

        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal(Errno.EINVAL, frame.Primary.Errno);
        Assert.StartsWith("sim:mdpy: primary plane: mmap on sim:mdpy device file failed", frame.Primary.Message);
    }

    [Fact]
    public void Dispose_ReleasesAndClosesEverything()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        source.Next(frame);
        DmaBufEntry primary = frame.Primary.DmaBuf!;

        source.Dispose();

        Assert.True(primary.IsDisposed);
        Assert.Equal(0, source.Cache.Counters.OpenFds);
        Assert.False(fake.Disposed);
        Assert.Throws<ObjectDisposedException>(() => source.Next(frame));
    }

    [Fact]
    public void Next_SteadyState_AllocatesNothing()
    {
        var (fake, source) = Make();
        var frame = new Frame();
        for (int i = 0; i < 10; i++)
        {
            source.Next(frame);
        }

        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                fake.SetPlane(PlaneType.Cursor, s_cursor with { x_pos = (uint)(i % 7) });
                source.Next(frame);
            }
        });

        Assert.True(least == 0, counts);
    }

    public static TheoryData<string> LastingFailures => ["invalid answer", "query errno", "fetch errno"];

    [Theory]
    [MemberData(nameof(LastingFailures))]
    public void Next_AFailureThatLasts_KeepsItsMessage_AndAllocatesNothing(string failure)
    {
        const int frames = 200;
        var (fake, source) = Make();
        var frame = new Frame();
        switch (failure)
        {
            case "invalid answer":
                fake.SetPlane(PlaneType.Primary, s_primary with { stride = 16 });
                break;
            case "query errno":
                for (int i = 0; i < frames + 3; i++)
                {
                    fake.QueryErrors[PlaneType.Primary].Enqueue(Errno.EINVAL);
                }

                break;
            default:
                // Both planes fetch: the cursor's fetch fails too.
                for (int i = 0; i < 2 * (frames + 3); i++)
                {
                    fake.DmaBufErrors.Enqueue(Errno.EINVAL);
                }

                break;
        }

        source.Next(frame);
        string? message = frame.Primary.Message;
        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal(PlaneEvents.Failed, frame.Primary.Events);
        Assert.StartsWith("sim:gvt: primary plane: ", message);
        source.Next(frame);

        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < frames / 3; i++)
            {
                source.Next(frame);
            }
        });

        Assert.True(least == 0, counts);
        Assert.Equal(PlaneStatus.Invalid, frame.Primary.Status);
        Assert.Equal(PlaneEvents.None, frame.Primary.Events);
        Assert.Same(message, frame.Primary.Message);
    }
}
