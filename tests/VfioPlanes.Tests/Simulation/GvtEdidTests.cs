using System.Buffers.Binary;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>
/// sim:gvt's EDID region against i915 GVT-g's (drivers/gpu/drm/i915/gvt/kvmgt.c): its reported
/// size, its header, which accesses it serves and what it answers for the others, and the
/// program's own reader and writer on it.
/// </summary>
public class GvtEdidTests
{
    private const long Region = (long)SimEdidRegion.Index << SimRegionTable.RegionShift;
    private const long Blob = Region + 2048;

    [Fact]
    public void RegionInfo_ReportsTheBlobsSize_128Bytes()
    {
        // intel_gvt_set_edid registers the region with EDID_SIZE (128) as its size.
        using var sim = Open("gvt");
        Assert.Equal(0, RegionInfo(sim, SimEdidRegion.Index, 48, out var info, out _));
        Assert.Equal(128ul, info.size);
        Assert.Equal((ulong)Region, info.offset);
    }

    [Fact]
    public void Header_PutsA128ByteBlobAt2048_WithLinkStateUnset()
    {
        // edid_offset EDID_BLOB_OFFSET (PAGE_SIZE / 2), edid_max_size and edid_size EDID_SIZE, the
        // blob the vGPU's own EDID (port->edid->edid_block), link_state 0 from kzalloc.
        using var sim = Open("gvt,1280x1024");
        uint[] header = Header(sim);
        Assert.Equal([2048u, 128u, 128u], header[..3]);
        Assert.Equal(0u, header[5]);
        Assert.Equal(SimEdid.Build(new SimMode(1280, 1024)), ReadAt(sim, Blob, 128));
    }

    [Fact]
    public void OtherPersonalities_KeepTheirPageSizedRegion()
    {
        foreach (string options in new[] { "", "mbochs" })
        {
            using var sim = Open(options);
            Assert.Equal(0, RegionInfo(sim, SimEdidRegion.Index, 48, out var info, out _));
            Assert.Equal((ulong)SimEdidRegion.Size, info.size);
        }
    }

    [Fact]
    public void BlobWritePastEdidSize_IsEfault_KeepingThePiecesBeforeIt()
    {
        // handle_edid_blob refuses a piece ending past the current edid_size (not edid_max_size)
        // with -EINVAL, which intel_vgpu_write answers as -EFAULT after the pieces before it.
        using var sim = Open("gvt");
        Assert.Equal(0, WriteU32(sim, Region + 8, 64));
        byte[] bytes = [.. Enumerable.Range(1, 68).Select(i => (byte)i)];

        Assert.Equal(Errno.EFAULT, sim.Write(bytes, Blob, out int written));
        Assert.Equal(0, written);
        Assert.Equal(bytes[..64], ReadAt(sim, Blob, 64));
        Assert.Equal(Errno.EFAULT, sim.Read(new byte[4], Blob + 64, out _));
    }

    [Theory]
    [InlineData(0, 2048u)]  // edid_offset: read-only, even rewritten with its own value
    [InlineData(4, 128u)]   // edid_max_size
    [InlineData(12, 1u)]    // max_xres
    [InlineData(8, 129u)]   // edid_size over edid_max_size
    [InlineData(20, 7u)]    // link_state neither up nor down
    public void RefusedHeaderWrite_IsEfault_LeavingTheHeader(long offset, uint value)
    {
        // handle_edid_regs: -EPERM for a read-only field, -EINVAL for the others; intel_vgpu_write
        // turns either into -EFAULT.
        using var sim = Open("gvt");
        uint[] before = Header(sim);
        Assert.Equal(Errno.EFAULT, WriteU32(sim, Region + offset, value));
        Assert.Equal(before, Header(sim));
    }

    [Fact]
    public void HeaderAccessOtherThanAWholeWord_IsEfault()
    {
        // intel_vgpu_write splits at offset 10 into a 2-byte piece, which handle_edid_regs refuses
        // (count != 4); between the header and the blob nothing is served.
        using var sim = Open("gvt");
        Assert.Equal(Errno.EFAULT, sim.Write(new byte[2], Region + 10, out _));
        Assert.Equal(Errno.EFAULT, sim.Read(new byte[2], Region + 10, out _));
        Assert.Equal(Errno.EFAULT, sim.Read(new byte[4], Region + 24, out _));
        Assert.Equal(0, sim.Read(new byte[24], Region, out int read));
        Assert.Equal(24, read);
    }

    [Fact]
    public void LinkUp_OverABlobThatIsNoEdid_IsEfault()
    {
        // handle_edid_regs checks the blob with drm_edid_block_valid before the hotplug.
        using var sim = Open("gvt");
        Assert.Equal(0, sim.Write(new byte[128], Blob, out _));
        Assert.Equal(Errno.EFAULT, WriteU32(sim, Region + 20, VFIO_DEVICE_GFX_LINK_STATE_UP));
        Assert.Equal(0u, Header(sim)[5]);
        Assert.Equal(0, WriteU32(sim, Region + 20, VFIO_DEVICE_GFX_LINK_STATE_DOWN));
        Assert.Equal(VFIO_DEVICE_GFX_LINK_STATE_DOWN, Header(sim)[5]);
    }

    [Fact]
    public void ReaderAndWriter_PresentAMode_AndTheGuestFollows()
    {
        SimulatedVgpu sim = Open("gvt");
        using var device = new VgpuDevice(sim, "sim:gvt");
        EdidRegionState before = EdidRegionState.Read(device)!;
        Assert.Null(before.Problem);
        Assert.Equal(128ul, before.RegionSize);
        Assert.Equal(EdidLink.NotSet, before.Link);
        Assert.Equal((1024, 768), (before.Block!.Preferred!.Width, before.Block.Preferred.Height));

        EdidRegionState after = EdidWriter.Present(device, SimEdid.Build(new SimMode(800, 600)), TimeSpan.Zero);

        Assert.Equal(EdidLink.Up, after.Link);
        Assert.Equal((800, 600), (after.Block!.Preferred!.Width, after.Block.Preferred.Height));
        Assert.Equal(new SimMode(800, 600), sim.BaseMode);
    }

    private static uint[] Header(SimulatedVgpu sim)
    {
        byte[] bytes = ReadAt(sim, Region, 24);
        return [.. Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4)))];
    }

    private static byte[] ReadAt(SimulatedVgpu sim, long offset, int length)
    {
        byte[] bytes = new byte[length];
        Assert.Equal(0, sim.Read(bytes, offset, out int read));
        Assert.Equal(length, read);
        return bytes;
    }

    private static int WriteU32(SimulatedVgpu sim, long offset, uint value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return sim.Write(b, offset, out _);
    }
}
