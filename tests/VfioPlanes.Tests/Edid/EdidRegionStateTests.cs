using System.Buffers.Binary;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Edid;

public class EdidRegionStateTests
{
    private const long RegionOffset = 0x10000;

    [Theory]
    [InlineData("", 1024, 768, EdidLink.Up)]
    // kvmgt's intel_gvt_set_edid makes the region over the vGPU's own EDID (edid_size 128) and
    // never writes link_state, which its kzalloc left 0.
    [InlineData("gvt,1920x1080", 1920, 1080, EdidLink.NotSet)]
    public void Sim_PresentsAnEdidForItsBaseMode(string options, int width, int height, EdidLink link)
    {
        using var device = new VgpuDevice(Open(options), "sim");

        EdidRegionState edid = EdidRegionState.Read(device)!;

        Assert.Equal(SimEdidRegion.Index, edid.RegionIndex);
        Assert.Null(edid.Problem);
        Assert.Equal(link, edid.Link);
        Assert.Equal(128u, edid.EdidSize);
        Assert.Equal("vgpuview sim", edid.Block!.Name);
        Assert.True(edid.Block.ChecksumOk);
        Assert.Equal((width, height), (edid.Block.Preferred!.Width, edid.Block.Preferred.Height));
        Assert.InRange(edid.Block.Preferred.RefreshHz, 59.9, 60.1);
    }

    [Fact]
    public void SimMbochs_StartsAsTheRealDriver_LinkNotSetAndNoBlob()
    {
        using var device = new VgpuDevice(Open("mbochs"), "sim:mbochs");

        EdidRegionState edid = EdidRegionState.Read(device)!;

        Assert.Equal(EdidLink.NotSet, edid.Link);
        Assert.Equal("not set", edid.LinkText);
        Assert.Equal(0u, edid.EdidSize);
        Assert.Null(edid.Block);
        Assert.Null(edid.Problem);
    }

    [Fact]
    public void SimMbochs_AfterAVmmWritesABlobAndBringsTheLinkUp_ShowsIt()
    {
        SimulatedVgpu sim = Open("mbochs");
        using var device = new VgpuDevice(sim, "sim:mbochs");
        long at = (long)device.TryGetRegionInfo(SimEdidRegion.Index)!.Offset;
        byte[] blob = EdidSamples.Dmt1024x768();
        Assert.Equal(0, WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_DOWN));
        Assert.Equal(EdidLink.Down, EdidRegionState.Read(device)!.Link);
        // mbochs keeps the blob at MBOCHS_EDID_BLOB_OFFSET, half its 4096-byte EDID region.
        Assert.Equal(0, sim.Write(blob, at + 2048, out _));
        Assert.Equal(0, WriteU32(sim, at + 8, 128));
        Assert.Equal(0, WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_UP));

        EdidRegionState edid = EdidRegionState.Read(device)!;

        Assert.Equal(EdidLink.Up, edid.Link);
        Assert.Equal("RHT", edid.Block!.Vendor);
        Assert.Equal(new DetailedTiming(1024, 768, 65_000_000, 1344, 806), edid.Block.Preferred);
    }

    [Fact]
    public void SimMdpy_HasNoEdidRegion()
    {
        using var device = new VgpuDevice(Open("mdpy"), "sim:mdpy");
        Assert.Null(EdidRegionState.Read(device));
    }

    public static TheoryData<uint, uint, uint, string> BadHeaders => new()
    {
        { 16, 128, 0, "edid_offset 16 lies inside the 24-byte header" },
        { 0x100, 0x80, 0x100, "edid_size 256 is over edid_max_size 128" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Header_ThatContradictsItsRegion_IsAProblemNamingTheField(uint edidOffset, uint edidMaxSize, uint edidSize, string problem)
    {
        (_, VgpuDevice device) = FakeWithEdid(edidOffset, edidMaxSize, edidSize, VFIO_DEVICE_GFX_LINK_STATE_UP);
        using (device)
        {
            EdidRegionState edid = EdidRegionState.Read(device)!;

            Assert.Equal(problem, edid.Problem);
            Assert.True(edid.HeaderRead);
            Assert.Null(edid.Block);
            Assert.Equal(EdidLink.Up, edid.Link);
        }
    }

    [Fact]
    public void GvtHeader_BlobPastTheReportedRegionSize_IsReadAtItsOffset()
    {
        // i915 GVT-g reports its EDID region as the blob's 128 bytes but puts the blob at half a
        // page (kvmgt: EDID_BLOB_OFFSET 2048, edid_max_size = edid_size = 128), link up.
        (FakeVfioDevice fake, VgpuDevice device) = FakeWithEdid(2048, 128, 128, VFIO_DEVICE_GFX_LINK_STATE_UP, regionSize: 128);
        using (device)
        {
            Assert.Equal(0, fake.Write(EdidSamples.Dmt1024x768(), RegionOffset + 2048, out _));

            EdidRegionState edid = EdidRegionState.Read(device)!;

            Assert.Null(edid.Problem);
            Assert.Equal(128ul, edid.RegionSize);
            Assert.Equal("RHT", edid.Block!.Vendor);
            Assert.Equal(new DetailedTiming(1024, 768, 65_000_000, 1344, 806), edid.Block.Preferred);
        }
    }

    [Fact]
    public void LinkStateOutsideTheUapi_IsUnknownWithItsValue()
    {
        (_, VgpuDevice device) = FakeWithEdid(0x100, 0x80, 0, 7);
        using (device)
        {
            EdidRegionState edid = EdidRegionState.Read(device)!;
            Assert.Equal(EdidLink.Unknown, edid.Link);
            Assert.Equal("unknown (7)", edid.LinkText);
        }
    }

    [Fact]
    public void BlobThatIsNotAnEdid_IsReportedNotParsed()
    {
        (FakeVfioDevice fake, VgpuDevice device) = FakeWithEdid(0x100, 0x80, 0x80, VFIO_DEVICE_GFX_LINK_STATE_UP);
        using (device)
        {
            Assert.Equal(0, fake.Write(new byte[128], RegionOffset + 0x100, out _));

            EdidRegionState edid = EdidRegionState.Read(device)!;

            Assert.Null(edid.Problem);
            Assert.Null(edid.Block);
            Assert.StartsWith("not an EDID: it starts 0000000000000000", edid.BlockProblem);
        }
    }

    [Fact]
    public void RegionTooSmallForTheHeader_IsUnread()
    {
        var fake = new FakeVfioDevice { DeviceInfo = new() { flags = VFIO_DEVICE_FLAGS_PCI, num_regions = 10, num_irqs = 5 } };
        fake.Regions[9] = new FakeRegion { Size = 16, Offset = RegionOffset, Caps = CapBytes.Type(0, VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID) };
        using VgpuDevice device = fake.Open();

        EdidRegionState edid = EdidRegionState.Read(device)!;

        Assert.False(edid.HeaderRead);
        Assert.Equal("unread", edid.LinkText);
        Assert.Equal("the region (16 bytes) cannot hold the 24-byte vfio_region_gfx_edid header", edid.Problem);
    }

    private static (FakeVfioDevice, VgpuDevice) FakeWithEdid(uint edidOffset, uint edidMaxSize, uint edidSize, uint linkState, ulong regionSize = 0x1000)
    {
        var fake = new FakeVfioDevice { DeviceInfo = new() { flags = VFIO_DEVICE_FLAGS_PCI, num_regions = 10, num_irqs = 5 } };
        fake.Regions[9] = new FakeRegion { Size = regionSize, Offset = RegionOffset, Caps = CapBytes.Type(0, VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID) };
        byte[] header = new byte[24];
        uint[] words = [edidOffset, edidMaxSize, edidSize, 2560, 1600, linkState];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(i * 4), words[i]);
        }

        Assert.Equal(0, fake.Write(header, RegionOffset, out _));
        return (fake, fake.Open());
    }

    private static int WriteU32(SimulatedVgpu sim, long offset, uint value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return sim.Write(b, offset, out _);
    }
}
