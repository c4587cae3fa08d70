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
        Assert.Equal(edid, personality.HasEdid);
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
    // mdpy's BAR0 is its framebuffer: 800 * 4 bytes * 600 rows = 1,920,000 bytes, 468.75 pages, so 469 pages.
    [InlineData("mdpy,800x600", 469L * 4096)]
    [InlineData("mdpy,1024x768", 3L << 20)]
    public void Bar0_IsSixteenMebibytesForDmaBufDevices_AndTheFramebufferInWholePagesForMdpy(string options, long size)
    {
        using ISimPersonality personality = ISimPersonality.For(SimOptions.Parse(options), TestContext.Current.CancellationToken);
        Assert.Equal(size, personality.Bar0Size);

        using SimulatedVgpu sim = Open(options);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out vfio_region_info bar0, out _));
        Assert.Equal((ulong)size, bar0.size);
    }

    [Fact]
    public void Mdpy800x600_PlaneIsItsWholeFramebufferAsRegion16()
    {
        using SimulatedVgpu sim = Open("mdpy,800x600");
        Assert.Equal(0, Query(sim, Primary, out var plane, Region));
        // XR24 is the fourcc 'X' 'R' '2' '4' read as a little-endian word; 800 pixels of 4 bytes a row.
        Assert.Equal(
            (0x34325258u, 800u, 600u, 3200u, 1_920_000u, 16u),
            (plane.drm_format, plane.width, plane.height, plane.stride, plane.size, plane.dmabuf_id));
        Assert.Equal(0, RegionInfo(sim, 16, 32, out var region, out _));
        Assert.Equal((0ul, 469ul * 4096), (region.offset, region.size));
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
