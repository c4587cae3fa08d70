using System.Buffers.Binary;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>
/// The EDID region on its own, in a memfd standing for the device file: what the header says,
/// which writes bring a mode up, and what each layout does with a write it does not take.
/// Whether the device can show the mode is the device's call.
/// </summary>
public sealed class SimEdidRegionTests : IDisposable
{
    private const long Start = 9L << 28;
    private readonly SafeFdHandle _file = SimBuffer.CreateMemfd("edid-test", Start + 4096);

    public void Dispose() => _file.Dispose();

    [Fact]
    public void Present_WithABlob_WritesTheHeaderWithTheLinkUp()
    {
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Default, 2560, 1600);
        byte[] blob = SimEdid.Build(new SimMode(1024, 768))!;
        region.Present(blob);

        uint[] header = Header();
        // edid_offset, edid_max_size, edid_size, max_xres, max_yres, link_state.
        Assert.Equal([0x100u, 0xF00u, (uint)blob.Length, 2560u, 1600u, VFIO_DEVICE_GFX_LINK_STATE_UP], header);
        Assert.Equal(blob, ReadAt(Start + 0x100, blob.Length));
    }

    [Fact]
    public void Present_WithoutABlob_LeavesSizeAndLinkStateZero()
    {
        new SimEdidRegion(_file, "test", SimEdidLayout.Default, 1920, 1440).Present(null);
        Assert.Equal([0x100u, 0xF00u, 0u, 1920u, 1440u, 0u], Header());
    }

    [Fact]
    public void LinkGoingUp_ReportsTheBlobsPreferredMode_EvenOneTheDeviceCannotShow()
    {
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Default, 2560, 1600);
        region.Present(null);
        byte[] blob = SimEdid.Build(new SimMode(2880, 1800))!;

        Assert.Equal(0, region.Write(blob, 0x100, out SimMode? none));
        Assert.Null(none);
        Assert.Equal(0, region.Write(Word(blob.Length), 8, out none));
        Assert.Null(none);
        Assert.Equal(0, region.Write(Word(VFIO_DEVICE_GFX_LINK_STATE_UP), 20, out SimMode? linked));
        Assert.Equal(new SimMode(2880, 1800), linked);

        // Already up: writing up again brings nothing new.
        Assert.Equal(0, region.Write(Word(VFIO_DEVICE_GFX_LINK_STATE_UP), 20, out SimMode? again));
        Assert.Null(again);
    }

    [Theory]
    [InlineData(0, 0x200u)]   // edid_offset is read-only
    [InlineData(12, 1000u)]   // max_xres is read-only
    [InlineData(8, 0xF01u)]   // edid_size beyond edid_max_size
    [InlineData(20, 7u)]      // link_state neither up nor down
    [InlineData(2, 0u)]       // not a whole word
    public void BadHeaderWrites_AreEinval(long offset, uint value)
    {
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Default, 2560, 1600);
        region.Present(null);
        Assert.Equal(Errno.EINVAL, region.Write(Word(value), offset, out _));
    }

    [Fact]
    public void MbochsLayout_HeaderSaysTheBlobIsAtHalfThePage_AndHoldsAKibibyte()
    {
        // mbochs.c: edid_offset MBOCHS_EDID_BLOB_OFFSET (MBOCHS_EDID_SIZE / 2, half of a 4096-byte
        // page), edid_max_size sizeof its u8 edid_blob[0x400].
        new SimEdidRegion(_file, "test", SimEdidLayout.Mbochs, 1920, 1440).Present(null);
        Assert.Equal([2048u, 1024u, 0u, 1920u, 1440u, 0u], Header());
    }

    [Fact]
    public void MbochsLayout_BlobPastEdidMaxSize_SucceedsButKeepsOnlyTheFirstKibibyte()
    {
        // mbochs' handle_edid_blob returns without storing a piece that ends past edid_max_size,
        // and mdev_access still reports the piece written: the pwrite returns its whole count.
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Mbochs, 1920, 1440);
        region.Present(null);
        byte[] blob = [.. Enumerable.Range(0, 1152).Select(i => (byte)(i % 251 + 1))];

        Assert.Equal(0, region.Write(blob, 2048, out SimMode? none));
        Assert.Null(none);
        Assert.Equal(blob[..1024], ReadAt(Start + 2048, 1024));
        Assert.Equal(new byte[128], ReadAt(Start + 2048 + 1024, 128));
    }

    [Theory]
    [InlineData(0, 0x200u, new uint[] { 2048, 1024, 0, 1920, 1440, 0 })]     // edid_offset: read-only, the write ignored
    [InlineData(12, 1000u, new uint[] { 2048, 1024, 0, 1920, 1440, 0 })]     // max_xres: the same
    [InlineData(8, 0x10000u, new uint[] { 2048, 1024, 0x10000, 1920, 1440, 0 })] // edid_size: stored, however large
    [InlineData(20, 7u, new uint[] { 2048, 1024, 0, 1920, 1440, 7 })]        // link_state: stored, neither up nor down
    [InlineData(2, 0xFFFFu, new uint[] { 2048, 1024, 0, 1920, 1440, 0 })]    // not a whole word: ignored
    public void MbochsLayout_HeaderWritesSucceed_StoringOnlyEdidSizeAndLinkState(long offset, uint value, uint[] header)
    {
        // mbochs' handle_edid_regs copies a 4-byte aligned write to edid_size or link_state and
        // returns without a word for anything else; the write reports its count either way.
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Mbochs, 1920, 1440);
        region.Present(null);
        Assert.Equal(0, region.Write(Word(value), offset, out _));
        Assert.Equal(header, Header());
    }

    [Fact]
    public void MbochsLayout_EdidSizePastTheBuffer_ParsesOnlyWhatTheBufferHolds()
    {
        var region = new SimEdidRegion(_file, "test", SimEdidLayout.Mbochs, 2560, 1600);
        region.Present(null);
        byte[] blob = SimEdid.Build(new SimMode(1280, 800))!;

        Assert.Equal(0, region.Write(blob, 2048, out _));
        Assert.Equal(0, region.Write(Word(0x10000), 8, out _));
        Assert.Equal(0, region.Write(Word(VFIO_DEVICE_GFX_LINK_STATE_UP), 20, out SimMode? linked));
        Assert.Equal(new SimMode(1280, 800), linked);
    }

    private static byte[] Word(long value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
        return bytes;
    }

    private uint[] Header()
    {
        byte[] bytes = ReadAt(Start, 24);
        return [.. Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4)))];
    }

    private byte[] ReadAt(long offset, int length)
    {
        byte[] bytes = new byte[length];
        Assert.Equal(length, Interop.Libc.PRead(_file, bytes, offset));
        return bytes;
    }
}
