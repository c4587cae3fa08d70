using System.Buffers.Binary;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>
/// The EDID region on its own, in a memfd standing for the device file: what the header says,
/// and which writes bring a mode up. Whether the device can show the mode is the device's call.
/// </summary>
public sealed class SimEdidRegionTests : IDisposable
{
    private const long Start = 9L << 28;
    private readonly SafeFdHandle _file = SimBuffer.CreateMemfd("edid-test", Start + 4096);

    public void Dispose() => _file.Dispose();

    [Fact]
    public void Present_WithABlob_WritesTheHeaderWithTheLinkUp()
    {
        var region = new SimEdidRegion(_file, "test", 2560, 1600);
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
        new SimEdidRegion(_file, "test", 1920, 1440).Present(null);
        Assert.Equal([0x100u, 0xF00u, 0u, 1920u, 1440u, 0u], Header());
    }

    [Fact]
    public void LinkGoingUp_ReportsTheBlobsPreferredMode_EvenOneTheDeviceCannotShow()
    {
        var region = new SimEdidRegion(_file, "test", 2560, 1600);
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
        var region = new SimEdidRegion(_file, "test", 2560, 1600);
        region.Present(null);
        Assert.Equal(Errno.EINVAL, region.Write(Word(value), offset, out _));
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
