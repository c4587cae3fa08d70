using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>
/// What each personality answers differently, asked of the personality itself and then of the
/// device through the contract. Flags as the drivers set them: mbochs and mdpy report a plain PCI
/// device (VFIO_DEVICE_FLAGS_PCI), kvmgt adds VFIO_DEVICE_FLAGS_RESET.
/// </summary>
public sealed class PersonalityAnswersTests : IDisposable
{
    private const uint Pci = VFIO_DEVICE_FLAGS_PCI;
    private const uint PciReset = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
    private const uint DmaBuf = VFIO_GFX_PLANE_TYPE_DMABUF;
    private const uint Region = VFIO_GFX_PLANE_TYPE_REGION;

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-personality-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("", typeof(DefaultPersonality), DmaBuf, PciReset, true, false)]
    [InlineData("mbochs", typeof(MbochsPersonality), DmaBuf, Pci, true, false)]
    [InlineData("gvt", typeof(GvtPersonality), DmaBuf, PciReset, true, false)]
    [InlineData("mdpy", typeof(MdpyPersonality), Region, Pci, false, true)]
    [InlineData("replay", typeof(ReplayPersonality), DmaBuf, Pci, false, false)]
    public void EachPersonality_AnswersItsDriversKindFlagsAndRegions(string options, Type type, uint kind, uint flags, bool edid, bool fixedMode)
    {
        using ISimPersonality personality = ISimPersonality.For(SimOptions.Parse(Spec(options)), TestContext.Current.CancellationToken);

        Assert.IsType(type, personality);
        Assert.Equal(kind, personality.PlaneKind);
        Assert.Equal(flags, personality.DeviceFlags);
        Assert.Equal(edid, personality.EdidLayout is not null);
        Assert.Equal(fixedMode, personality.FixedMode);
        Assert.Equal(fixedMode, personality.KeepsPictureWhileDisabled);
        Assert.Equal(kind == Region ? 16u : (uint?)null, personality.DisplayRegion);

        using SimulatedVgpu sim = Open(Spec(options));
        var info = new vfio_device_info { argsz = 24 };
        Assert.Equal(0, sim.GetDeviceInfo(ref info));
        Assert.Equal(flags, info.flags);
        // Nine PCI regions (BAR0-5, ROM, config, VGA), plus the EDID region at index 9.
        Assert.Equal(edid ? 10u : 9u, info.num_regions);
        var probe = new vfio_device_gfx_plane_info { argsz = 64, flags = VFIO_GFX_PLANE_TYPE_PROBE | kind };
        Assert.Equal(0, sim.QueryGfxPlane(ref probe));
    }

    [Theory]
    [InlineData("800x600", 16L << 20)]
    [InlineData("mbochs,800x600", 16L << 20)]
    [InlineData("gvt,800x600", 16L << 20)]
    public void Bar0_IsSixteenMebibytesForDmaBufDevices(string options, long size)
    {
        using ISimPersonality personality = ISimPersonality.For(SimOptions.Parse(options), TestContext.Current.CancellationToken);
        Assert.Equal(size, personality.Bar0Size);

        using SimulatedVgpu sim = Open(options);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out vfio_region_info bar0, out _));
        Assert.Equal((ulong)size, bar0.size);
    }

    [Theory]
    [InlineData(640, 480)]   // mdpy-vga: 1,228,800 bytes, so 2 MiB
    [InlineData(800, 600)]   // 1,920,000 bytes, so 2 MiB
    [InlineData(1024, 768)]  // mdpy-xga: 3 MiB, so 4 MiB
    [InlineData(1920, 1080)] // mdpy-hd: 8,294,400 bytes, so 8 MiB
    [InlineData(2048, 1024)] // 8 MiB already a power of two
    public void MdpyBar0_IsTheFramebufferRoundedUpToAPowerOfTwo(int width, int height)
    {
        // mdpy.c, mdpy_init_dev: fbsize = roundup_pow_of_two(width * height * bytepp), bytepp 4;
        // mdpy_get_region_info reports it for BAR0 and the display region alike.
        long bytes = (long)width * height * 4;
        long expected = 1;
        while (expected < bytes)
        {
            expected *= 2;
        }

        string options = $"mdpy,{width}x{height}";
        using ISimPersonality personality = ISimPersonality.For(SimOptions.Parse(options), TestContext.Current.CancellationToken);
        Assert.Equal(expected, personality.Bar0Size);

        using SimulatedVgpu sim = Open(options);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out vfio_region_info bar0, out _));
        Assert.Equal(0, RegionInfo(sim, 16, 32, out vfio_region_info display, out _));
        Assert.Equal(((ulong)expected, (ulong)expected), (bar0.size, display.size));
    }

    [Theory]
    [InlineData("", 256ul)]       // a conventional PCI function's config space
    [InlineData("mbochs", 255ul)] // MBOCHS_CONFIG_SPACE_SIZE 0xff
    [InlineData("mdpy", 255ul)]   // MDPY_CONFIG_SPACE_SIZE 0xff
    public void ConfigSpace_IsTheSizeTheDriverReports(string options, ulong size)
    {
        using SimulatedVgpu sim = Open(options);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_CONFIG_REGION_INDEX, 32, out vfio_region_info config, out _));
        Assert.Equal(size, config.size);
    }

    [Fact]
    public void Mdpy800x600_PlaneIsItsWholeFramebufferAsRegion16()
    {
        using SimulatedVgpu sim = Open("mdpy,800x600");
        Assert.Equal(0, Query(sim, Primary, out var plane, Region));
        // XR24 is the fourcc 'X' 'R' '2' '4' read as a little-endian word; 800 pixels of 4 bytes a
        // row. mdpy_query_gfx_plane reports its whole framebuffer as the size: 800 * 600 * 4 =
        // 1,920,000 bytes rounded up to a power of two, 2 MiB.
        Assert.Equal(
            (0x34325258u, 800u, 600u, 3200u, 2u << 20, 16u),
            (plane.drm_format, plane.width, plane.height, plane.stride, plane.size, plane.dmabuf_id));
        Assert.Equal(0, RegionInfo(sim, 16, 32, out var region, out _));
        Assert.Equal((0ul, 2ul << 20), (region.offset, region.size));
    }

    [Fact]
    public void OnlyMbochs_StartsWithoutAnEdidBlob()
    {
        var mode = new SimMode(1024, 768);
        Assert.Null(new MbochsPersonality().EdidAtOpen(mode));
        Assert.Equal(SimEdid.Build(mode), new DefaultPersonality().EdidAtOpen(mode));
        Assert.Equal(SimEdid.Build(mode), new GvtPersonality().EdidAtOpen(mode));
    }

    [Fact]
    public void OnlyMbochs_LimitsRegionInfoArgsz_ToTheInfoWithItsEdidCapability()
    {
        // sizeof(struct vfio_region_info) 32 + sizeof(struct vfio_region_info_cap_type) 16.
        Assert.Equal(48u, new MbochsPersonality().MaxRegionInfoArgsz);
        Assert.Equal(uint.MaxValue, new DefaultPersonality().MaxRegionInfoArgsz);
        Assert.Equal(uint.MaxValue, new GvtPersonality().MaxRegionInfoArgsz);
        Assert.Equal(uint.MaxValue, new MdpyPersonality(new SimMode(1024, 768)).MaxRegionInfoArgsz);
    }

    [Fact]
    public void Replay_UnknownDmaBufId_IsEnoent()
    {
        using SimulatedVgpu sim = Open(Spec("replay"));
        Assert.Equal(0, sim.GetGfxDmaBuf(1, out SafeFdHandle? known));
        known!.Dispose();
        Assert.Equal(Errno.ENOENT, sim.GetGfxDmaBuf(2, out SafeFdHandle? unknown));
        Assert.Null(unknown);
    }

    // "replay" becomes a one-plane replay file of its own.
    private string Spec(string options)
    {
        if (options != "replay")
        {
            return options;
        }

        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), new byte[256 * 4 * 192]);
        string json = Path.Combine(_dir, "one.json");
        File.WriteAllText(json, """{"planes":[{"plane":"primary","file":"p.raw","format":"XR24","width":256,"height":192,"stride":1024}]}""");
        return "replay=" + json;
    }
}
