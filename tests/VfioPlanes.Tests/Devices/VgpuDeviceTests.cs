using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Devices;

public class VgpuDeviceTests
{
    private const uint ReadWriteMmap = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP;

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Probe_ReportsEachKind_AndAsksOnlyOnce(bool dmabuf, bool region)
    {
        var fake = new FakeVfioDevice { SupportsDmaBuf = dmabuf, SupportsRegion = region };
        using VgpuDevice device = fake.Open();

        PlaneSupport first = device.Probe();
        PlaneSupport second = device.Probe();

        Assert.Equal(new PlaneSupport(dmabuf, region), first);
        Assert.Equal(first, second);
        Assert.Equal(2, fake.ProbeCount);
    }

    [Fact]
    public void Probe_OtherErrno_ThrowsNamingTheDevice()
    {
        var fake = new FakeVfioDevice { Name = "mdev 1234", ProbeErrno = Errno.EIO };
        using VgpuDevice device = fake.Open();

        var e = Assert.Throws<VfioException>(() => device.Probe());

        Assert.Equal(Errno.EIO, e.Errno);
        Assert.Contains("mdev 1234", e.Message);
    }

    [Fact]
    public void PlaneQuery_DeviceWithoutDisplay_ThrowsSayingSo()
    {
        var fake = new FakeVfioDevice { Name = "0000:00:02.0", SupportsDmaBuf = false };
        using VgpuDevice device = fake.Open();

        var e = Assert.Throws<VfioException>(() => new PlaneQuery(device));

        Assert.StartsWith("0000:00:02.0: the device has no display", e.Message);
    }

    [Fact]
    public void GetInfo_GivesFlagsCountsAndNames()
    {
        var fake = new FakeVfioDevice { DeviceInfo = new() { flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_CAPS | (1u << 12), num_regions = 9, num_irqs = 5 } };
        using VgpuDevice device = fake.Open();

        DeviceInfo info = device.GetInfo();

        Assert.True(info.IsPci);
        Assert.Equal(9u, info.NumRegions);
        Assert.Equal(5u, info.NumIrqs);
        Assert.Equal(["pci", "caps", "0x1000"], info.FlagNames);
    }

    [Fact]
    public void GetRegions_SkipsRegionsAnsweringEinval()
    {
        var fake = new FakeVfioDevice();
        fake.Regions[0] = new FakeRegion { Size = 0x1000000, Offset = 0 };
        fake.Regions[2] = new FakeRegion { Size = 0x1000, Offset = 2ul << 40, Flags = VFIO_REGION_INFO_FLAG_READ };
        using VgpuDevice device = fake.Open();

        IReadOnlyList<RegionInfo> regions = device.GetRegions();

        Assert.Equal([0u, 2u], regions.Select(r => r.Index));
        Assert.True(regions[0].Mappable);
        Assert.False(regions[1].Writable);
        Assert.True(regions[1].Readable);
        Assert.Equal(2ul << 40, regions[1].Offset);
        Assert.Null(regions[0].CapType);
        Assert.Empty(regions[0].SparseAreas);
        Assert.Null(device.TryGetRegionInfo(5));
    }

    [Fact]
    public void TryGetRegionInfo_ChainTooBigForFirstCall_AsksAgainWithTheArgszTheKernelWants()
    {
        var fake = new FakeVfioDevice();
        byte[] caps = [.. CapBytes.Sparse(next: 80, [(0, 0x1000), (0x3000, 0x2000)]), .. CapBytes.Type(next: 0, VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID)];
        fake.Regions[9] = new FakeRegion { Size = 0x1000, Offset = 9ul << 40, Flags = ReadWriteMmap, Caps = caps };
        using VgpuDevice device = fake.Open();

        RegionInfo? region = device.TryGetRegionInfo(9);

        Assert.Equal(2, fake.RegionInfoCount);
        Assert.NotNull(region);
        Assert.Equal(new RegionCapType(1, 1), region.CapType);
        Assert.True(region.CapType!.Value.IsEdid);
        Assert.Equal([new SparseArea(0, 0x1000), new SparseArea(0x3000, 0x2000)], region.SparseAreas);
        Assert.Same(region, device.TryGetRegionInfo(9));
        Assert.Equal(2, fake.RegionInfoCount);
    }

    [Fact]
    public void FindRegion_FindsTheEdidRegionByItsTypeCapability()
    {
        var fake = new FakeVfioDevice();
        fake.Regions[0] = new FakeRegion { Size = 0x1000000 };
        fake.Regions[8] = new FakeRegion { Size = 0x1000, Caps = CapBytes.Type(0, VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x8086, 3) };
        fake.DeviceInfo = fake.DeviceInfo with { num_regions = 10 };
        fake.Regions[9] = new FakeRegion { Size = 0x1000, Offset = 9ul << 40, Caps = CapBytes.Type(0, VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID) };
        using VgpuDevice device = fake.Open();

        Assert.Equal(9u, device.FindRegion(VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID)?.Index);
        Assert.Null(device.FindRegion(VFIO_REGION_TYPE_GFX, 2));
    }

    public static TheoryData<string, byte[], string> MalformedAnswers => new()
    {
        {
            "cap_offset beyond argsz",
            CapBytes.Answer(48, VFIO_REGION_INFO_FLAG_CAPS, 3, 48, 4096, 0, new byte[16]),
            "cap_offset 48 is not an 8-byte aligned offset between 32 and 40 (argsz 48)"
        },
        {
            "cap_offset inside the fixed struct",
            CapBytes.Answer(48, VFIO_REGION_INFO_FLAG_CAPS, 3, 8, 4096, 0, CapBytes.Type(0, 1, 1)),
            "cap_offset 8 is not an 8-byte aligned offset"
        },
        {
            "misaligned cap_offset",
            CapBytes.Answer(64, VFIO_REGION_INFO_FLAG_CAPS, 3, 36, 4096, 0, new byte[32]),
            "cap_offset 36 is not an 8-byte aligned offset"
        },
        {
            "misaligned next",
            CapBytes.Answer(64, VFIO_REGION_INFO_FLAG_CAPS, 3, 32, 4096, 0, [.. CapBytes.Type(52, 1, 1), .. new byte[16]]),
            "next of the capability at 32 52 is not an 8-byte aligned offset"
        },
        {
            "next loops back to itself",
            CapBytes.Answer(48, VFIO_REGION_INFO_FLAG_CAPS, 3, 32, 4096, 0, CapBytes.Type(32, 1, 1)),
            "the capability chain does not end"
        },
        {
            "two caps pointing at each other",
            CapBytes.Answer(64, VFIO_REGION_INFO_FLAG_CAPS, 3, 32, 4096, 0, [.. CapBytes.Type(48, 1, 1), .. CapBytes.Type(32, 1, 1)]),
            "the capability chain does not end"
        },
        {
            "type cap cut off by argsz",
            CapBytes.Answer(40, VFIO_REGION_INFO_FLAG_CAPS, 3, 32, 4096, 0, CapBytes.Type(0, 1, 1)),
            "type capability at 32 needs 16 bytes, only 8 remain in argsz"
        },
        {
            "sparse nr_areas beyond argsz",
            CapBytes.Answer(64, VFIO_REGION_INFO_FLAG_CAPS, 3, 32, 4096, 0, CapBytes.Sparse(0, [(0, 4096)], nrAreas: 1000)),
            "nr_areas 1000 needs 16016 bytes, only 32 remain in argsz"
        },
    };

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public void TryGetRegionInfo_MalformedChain_ThrowsNamingDeviceRegionAndField(string what, byte[] raw, string expected)
    {
        var fake = new FakeVfioDevice { Name = "sim:mbochs" };
        fake.Regions[3] = new FakeRegion { Raw = raw };
        using VgpuDevice device = fake.Open();

        var e = Assert.Throws<VfioException>(() => device.TryGetRegionInfo(3));

        Assert.True(e.Message.StartsWith("sim:mbochs: region 3: malformed VFIO_DEVICE_GET_REGION_INFO answer: ", StringComparison.Ordinal), what + ": " + e.Message);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), what + ": " + e.Message);
    }

    [Fact]
    public void TryGetRegionInfo_ArgszGrowsOnTheSecondCallToo_Throws()
    {
        var fake = new FakeVfioDevice();
        fake.Regions[3] = new FakeRegion { Raw = CapBytes.Answer(100_000, VFIO_REGION_INFO_FLAG_CAPS, 3, 0, 4096, 0, []) };
        using VgpuDevice device = fake.Open();

        var e = Assert.Throws<VfioException>(() => device.TryGetRegionInfo(3));

        Assert.Contains("argsz 100000 exceeds the 32 bytes given", e.Message);
    }

    [Fact]
    public void TryGetRegionInfo_OtherErrno_ThrowsWithIt()
    {
        var fake = new ErrnoRegionDevice();
        using VgpuDevice device = fake.Open();

        var e = Assert.Throws<VfioException>(() => device.TryGetRegionInfo(0));

        Assert.Equal(Errno.ENODEV, e.Errno);
    }

    private sealed class ErrnoRegionDevice : IVfioDevice
    {
        private readonly FakeVfioDevice _inner = new();

        public string Name => "gone";

        public VgpuDevice Open() => new(this, "gone");

        public int GetDeviceInfo(ref vfio_device_info info) => _inner.GetDeviceInfo(ref info);

        public int GetRegionInfo(Span<byte> buffer) => Errno.ENODEV;

        public int QueryGfxPlane(ref vfio_device_gfx_plane_info info) => _inner.QueryGfxPlane(ref info);

        public int GetGfxDmaBuf(uint dmabufId, out SafeHandles.SafeFdHandle? dmabuf) => _inner.GetGfxDmaBuf(dmabufId, out dmabuf);

        public int Read(Span<byte> buffer, long offset, out int bytesRead) => _inner.Read(buffer, offset, out bytesRead);

        public int Write(ReadOnlySpan<byte> buffer, long offset, out int bytesWritten) => _inner.Write(buffer, offset, out bytesWritten);

        public SafeHandles.SafeMappedRegion Map(long offset, long length, bool writable) => _inner.Map(offset, length, writable);

        public void Dispose() => _inner.Dispose();
    }
}
