using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class RegionAndEdidTests
{
    [Theory]
    [InlineData("", 10u)]
    [InlineData("mbochs", 10u)]
    [InlineData("gvt", 10u)]
    [InlineData("mdpy", 9u)]
    public void DeviceInfo_IsAPciDeviceWithItsRegionCount(string options, uint regions)
    {
        using var sim = Open(options);
        var info = new vfio_device_info { argsz = 24 };
        Assert.Equal(0, sim.GetDeviceInfo(ref info));
        Assert.NotEqual(0u, info.flags & VFIO_DEVICE_FLAGS_PCI);
        Assert.Equal(regions, info.num_regions);
        Assert.Equal(5u, info.num_irqs);

        var tooSmall = new vfio_device_info { argsz = 15 };
        Assert.Equal(Errno.EINVAL, sim.GetDeviceInfo(ref tooSmall));
    }

    [Fact]
    public void RegionInfo_Bar0IsMappableAndBar2IsNot()
    {
        using var sim = Open("");
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out var bar0, out _));
        Assert.Equal(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP, bar0.flags);
        Assert.True(bar0.size >= 16 << 20);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_BAR2_REGION_INDEX, 32, out var bar2, out _));
        Assert.Equal(0u, bar2.flags & VFIO_REGION_INFO_FLAG_MMAP);
        Assert.Equal(0, RegionInfo(sim, VFIO_PCI_CONFIG_REGION_INDEX, 32, out var config, out _));
        Assert.Equal(256ul, config.size);

        using (SafeMappedRegion map = sim.Map((long)bar0.offset, 4096, writable: true))
        {
            map.GetSpan()[10] = 0x5A;
        }

        byte[] back = new byte[1];
        Assert.Equal(0, sim.Read(back, (long)bar0.offset + 10, out _));
        Assert.Equal(0x5A, back[0]);
        Assert.Throws<VfioException>(() => sim.Map((long)bar2.offset, 4096, writable: false));
    }

    [Fact]
    public void RegionInfo_ArgszBelowTheStruct_IsEinval()
    {
        using var sim = Open("");
        byte[] buffer = new byte[32];
        var request = new vfio_region_info { argsz = 31, index = 0 };
        MemoryMarshal.Write(buffer, in request);
        Assert.Equal(Errno.EINVAL, sim.GetRegionInfo(buffer));
    }

    [Theory]
    [InlineData(10u)] // beyond num_regions
    [InlineData(16u)] // mdpy's display region index, which only mdpy has
    public void RegionInfo_UnknownIndex_IsEinval(uint index)
    {
        using var sim = Open("");
        Assert.Equal(Errno.EINVAL, RegionInfo(sim, index, 32, out _, out _));
    }

    [Fact]
    public void RegionInfo_EdidWithoutRoomForCaps_RaisesArgszAndSetsCaps()
    {
        using var sim = Open("mbochs");
        Assert.Equal(0, RegionInfo(sim, SimEdidRegion.Index, 32, out var info, out _));
        Assert.Equal(48u, info.argsz);
        Assert.NotEqual(0u, info.flags & VFIO_REGION_INFO_FLAG_CAPS);
        Assert.Equal(0u, info.cap_offset);
    }

    [Fact]
    public void RegionInfo_EdidWithRoom_HasGfxEdidTypeCapability()
    {
        using var sim = Open("gvt");
        Assert.Equal(0, RegionInfo(sim, SimEdidRegion.Index, 48, out var info, out byte[] buffer));
        Assert.Equal(48u, info.argsz);
        Assert.Equal(32u, info.cap_offset);
        var cap = MemoryMarshal.Read<vfio_region_info_cap_type>(buffer.AsSpan(32));
        Assert.Equal(VFIO_REGION_INFO_CAP_TYPE, cap.header.id);
        Assert.Equal(0u, cap.header.next);
        Assert.Equal((VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID), (cap.type, cap.subtype));
    }

    [Fact]
    public void EdidHeader_IsReadableAtTheRegionOffset()
    {
        using var sim = Open("");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        byte[] header = new byte[24];
        Assert.Equal(0, sim.Read(header, (long)region.offset, out int n));
        Assert.Equal(24, n);
        var edid = MemoryMarshal.Read<vfio_region_gfx_edid>(header);
        Assert.Equal(0x100u, edid.edid_offset);
        Assert.True(edid.edid_offset + edid.edid_max_size <= region.size);
        Assert.Equal(VFIO_DEVICE_GFX_LINK_STATE_UP, edid.link_state);
        Assert.True(edid.max_xres >= 1024 && edid.max_yres >= 768);
    }

    [Fact]
    public void Edid_LinkUpWithANewBlob_SwitchesTheGuestToItsPreferredMode()
    {
        using var sim = Open("mbochs");
        Assert.Equal(Errno.ENOMEM, Query(sim, Primary, out _)); // mbochs: no buffer yet after the open
        Assert.Equal(0, Query(sim, Primary, out var before));
        Assert.Equal((1024u, 768u), (before.width, before.height));

        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        long at = (long)region.offset;
        Assert.Equal(0, WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_DOWN));
        // mbochs keeps the blob at MBOCHS_EDID_BLOB_OFFSET, half its 4096-byte EDID region.
        Assert.Equal(0, sim.Write(Edid1280x720(), at + 2048, out int written));
        Assert.Equal(128, written);
        Assert.Equal(0, WriteU32(sim, at + 8, 128));
        Assert.Equal(0, WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_UP));

        // mbochs: the first query after the mode change fails ENOMEM, the next shows the new mode.
        Assert.Equal(Errno.ENOMEM, Query(sim, Primary, out _));
        Assert.Equal(0, Query(sim, Primary, out var after));
        Assert.Equal((1280u, 720u, 5120u), (after.width, after.height, after.stride));
    }

    [Fact]
    public void MbochsEdidHeader_PutsTheBlobAtHalfThePage_AndTakesAKibibyte()
    {
        // mbochs.c: edid_offset MBOCHS_EDID_BLOB_OFFSET = MBOCHS_EDID_SIZE / 2 of a one-page
        // region; edid_max_size sizeof its u8 edid_blob[0x400]. Nothing written yet: edid_size 0,
        // link_state 0.
        using var sim = Open("mbochs");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        Assert.Equal(4096ul, region.size);
        byte[] header = new byte[24];
        Assert.Equal(0, sim.Read(header, (long)region.offset, out _));
        var edid = MemoryMarshal.Read<vfio_region_gfx_edid>(header);
        Assert.Equal((2048u, 1024u, 0u, 0u), (edid.edid_offset, edid.edid_max_size, edid.edid_size, edid.link_state));
    }

    [Fact]
    public void MbochsEdid_BlobOverAKibibyte_IsTakenAsMbochsTakesIt_TheRestDropped()
    {
        // mbochs writes in 4-byte pieces; handle_edid_blob returns without storing a piece that
        // ends past edid_max_size, and the write still returns its whole count. The guest reads
        // the first 1024 bytes; the header still says 1024 at most.
        using var sim = Open("mbochs");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        long at = (long)region.offset;
        byte[] blob = [.. Enumerable.Range(0, 1152).Select(i => (byte)(i % 253 + 1))];

        Assert.Equal(0, sim.Write(blob, at + 2048, out int written));
        Assert.Equal(1152, written);

        byte[] back = new byte[1152];
        Assert.Equal(0, sim.Read(back, at + 2048, out _));
        Assert.Equal(blob[..1024], back[..1024]);
        Assert.Equal(new byte[128], back[1024..]);
        byte[] header = new byte[24];
        sim.Read(header, at, out _);
        Assert.Equal(1024u, MemoryMarshal.Read<vfio_region_gfx_edid>(header).edid_max_size);
    }

    [Fact]
    public void MbochsEdid_EdidSizeOverEdidMaxSize_IsStoredAsMbochsStoresIt()
    {
        // mbochs' handle_edid_regs copies any edid_size without a check; the header then says
        // more than edid_max_size, which a reader of the region has to notice itself.
        using var sim = Open("mbochs");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        long at = (long)region.offset;
        Assert.Equal(0, WriteU32(sim, at + 8, 2000));
        byte[] header = new byte[24];
        sim.Read(header, at, out _);
        Assert.Equal(2000u, MemoryMarshal.Read<vfio_region_gfx_edid>(header).edid_size);
    }

    [Fact]
    public void Edid_BadWrites_AreRefused()
    {
        using var sim = Open("");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        long at = (long)region.offset;
        Assert.Equal(Errno.EINVAL, WriteU32(sim, at + 20, 7));        // link_state neither UP nor DOWN
        Assert.Equal(Errno.EINVAL, WriteU32(sim, at + 8, 0x10000));   // edid_size beyond edid_max_size
        Assert.Equal(Errno.EINVAL, WriteU32(sim, at + 0, 0x200));     // edid_offset is read-only
        Assert.Equal(0, WriteU32(sim, at + 0, 0x100));                // ... rewriting its value is harmless
        Assert.Equal(Errno.EINVAL, sim.Write(new byte[2], at + 8, out _)); // not a whole word
    }

    [Fact]
    public void Edid_BlobWithoutATiming_LeavesTheModeAlone()
    {
        using var sim = Open("");
        RegionInfo(sim, SimEdidRegion.Index, 48, out var region, out _);
        long at = (long)region.offset;
        byte[] blob = Edid1280x720();
        blob[54] = 0;
        blob[55] = 0; // pixel clock 0: a display descriptor, not a timing
        WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
        sim.Write(blob, at + 0x100, out _);
        WriteU32(sim, at + 8, 128);
        WriteU32(sim, at + 20, VFIO_DEVICE_GFX_LINK_STATE_UP);
        Query(sim, Primary, out var info);
        Assert.Equal((1024u, 768u), (info.width, info.height));
    }

    [Fact]
    public void Read_OutsideAnyRegion_IsEinval()
    {
        using var sim = Open("");
        Assert.Equal(Errno.EINVAL, sim.Read(new byte[4], 1L << SimRegionTable.RegionShift, out _)); // region 1 is empty
        RegionInfo(sim, VFIO_PCI_CONFIG_REGION_INDEX, 32, out var config, out _);
        Assert.Equal(Errno.EINVAL, sim.Read(new byte[8], (long)config.offset + 252, out _)); // crosses the end
    }

    private static int WriteU32(SimulatedVgpu sim, long offset, uint value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return sim.Write(b, offset, out _);
    }

    /// <summary>A minimal EDID 1.4 base block whose first detailed timing is 1280x720 (hand-assembled).</summary>
    private static byte[] Edid1280x720()
    {
        byte[] e = new byte[128];
        byte[] header = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        header.CopyTo(e, 0);
        e[18] = 1;
        e[19] = 4;
        // Detailed timing at 54: pixel clock 74.25 MHz = 7425 x 10 kHz = 0x1D01;
        // 1280 = 0x500 (low byte 0x00, high nibble 5 in byte 4), 720 = 0x2D0 (0xD0, 2 in byte 7).
        e[54] = 0x01;
        e[55] = 0x1D;
        e[56] = 0x00;
        e[58] = 0x50;
        e[59] = 0xD0;
        e[61] = 0x20;
        e[127] = EdidSamples.Checksum(e);
        return e;
    }
}
