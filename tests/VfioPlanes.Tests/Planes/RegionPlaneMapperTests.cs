using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Planes;

/// <summary>RegionPlaneMapper on its own, over the fake's device file (a memfd) and its region table.</summary>
public sealed class RegionPlaneMapperTests : IDisposable
{
    private const uint Index = 16;
    private const long RegionOffset = 64 * 1024;

    private readonly FakeVfioDevice _fake = new() { Name = "sim:mdpy", SupportsDmaBuf = false, SupportsRegion = true };
    private readonly VgpuDevice _device;
    private readonly RegionPlaneMapper _mapper;

    public RegionPlaneMapperTests()
    {
        _device = _fake.Open();
        _mapper = new RegionPlaneMapper(_device);
    }

    public void Dispose()
    {
        _mapper.Dispose();
        _device.Dispose();
    }

    private static PlaneInfo Plane(uint size, uint index = Index, PlaneType plane = PlaneType.Primary, PlaneBufferKind kind = PlaneBufferKind.Region) => new()
    {
        Plane = plane, Kind = kind, Fourcc = DrmFourcc.XRGB8888, Width = size / 64, Height = 16, Stride = size / 16, Size = size, Id = index,
    };

    [Fact]
    public void TryMap_MapsThePlaneAtItsRegionsOffsetInTheDeviceFile()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 1 << 19, Offset = RegionOffset };
        byte[] pixels = [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 + 7))];
        Assert.Equal(0, _fake.Write(pixels, RegionOffset, out _));

        RegionMapping? mapping = _mapper.TryMap(Plane(8192), out string? problem);

        Assert.Null(problem);
        Assert.NotNull(mapping);
        Assert.Equal(Index, mapping.Index);
        Assert.Equal(8192, mapping.MappedLength);
        using PlaneMemory read = mapping.BeginCpuRead(8192);
        Assert.True(read.Bytes.SequenceEqual(pixels));
    }

    [Fact]
    public void TryMap_APlaneTheMappingHolds_ReusesIt_ALargerOne_GrowsTheSameObject()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 1 << 19, Offset = RegionOffset };
        RegionMapping first = _mapper.TryMap(Plane(8192), out _)!;
        int asked = _fake.RegionInfoCount;

        RegionMapping? smaller = _mapper.TryMap(Plane(4096), out _);
        Assert.Same(first, smaller);
        Assert.Equal(asked, _fake.RegionInfoCount); // no new question to the device
        Assert.Equal(8192, first.MappedLength);

        RegionMapping? larger = _mapper.TryMap(Plane(65536), out string? problem);
        Assert.Null(problem);
        Assert.Same(first, larger);
        Assert.Equal(65536, first.MappedLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => first.BeginCpuRead(65537));
    }

    [Fact]
    public void TryMap_AnIndexTheDeviceDoesNotHave_SaysSoNamingDeviceAndPlane()
    {
        RegionMapping? mapping = _mapper.TryMap(Plane(4096, index: 5, plane: PlaneType.Cursor), out string? problem);

        Assert.Null(mapping);
        Assert.Equal("sim:mdpy: cursor plane: region_index 5 is not a region of the device", problem);
    }

    [Fact]
    public void TryMap_APlaneLargerThanItsRegion_IsRefused()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 4096, Offset = RegionOffset };

        Assert.Null(_mapper.TryMap(Plane(8192), out string? problem));
        Assert.Equal("sim:mdpy: primary plane: size 8192 does not fit region 16 of 4096 bytes", problem);
    }

    [Fact]
    public void TryMap_ARegionWithoutTheMmapFlag_IsRefused()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 1 << 19, Offset = RegionOffset, Flags = VFIO_REGION_INFO_FLAG_READ };

        Assert.Null(_mapper.TryMap(Plane(8192), out string? problem));
        Assert.Equal("sim:mdpy: primary plane: region 16 cannot be mmap'd (no VFIO_REGION_INFO_FLAG_MMAP)", problem);
    }

    [Fact]
    public void TryMap_AnMmapTheKernelRefuses_ThrowsWithTheErrno()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 1 << 19, Offset = 100 }; // not page-aligned: EINVAL

        VfioException e = Assert.Throws<VfioException>(() => _mapper.TryMap(Plane(8192), out _));

        Assert.Equal(Errno.EINVAL, e.Errno);
    }

    [Fact]
    public void TryMap_ADmaBufPlane_IsACallersMistake()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => _mapper.TryMap(Plane(4096, kind: PlaneBufferKind.DmaBuf), out _));

        Assert.Contains("is a dma-buf plane, not a region plane", e.Message);
    }

    [Fact]
    public void Dispose_UnmapsEveryMapping()
    {
        _fake.Regions[Index] = new FakeRegion { Size = 1 << 19, Offset = RegionOffset };
        RegionMapping mapping = _mapper.TryMap(Plane(8192), out _)!;

        _mapper.Dispose();

        Assert.Equal(0, mapping.MappedLength);
        Assert.Throws<ObjectDisposedException>(() => mapping.BeginCpuRead(1));
    }
}
