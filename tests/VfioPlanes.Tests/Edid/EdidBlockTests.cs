using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Edid;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Edid;

public class EdidBlockTests
{
    [Fact]
    public void TryParse_ReadsVendorNameVersionAndThePreferredTiming()
    {
        Assert.True(EdidBlock.TryParse(EdidSamples.Dmt1024x768(), out EdidBlock? block, out string? problem), problem);

        Assert.Equal("RHT", block!.Vendor);
        Assert.Equal(0x1234, block.Product);
        Assert.Equal((1, 4), (block.Version, block.Revision));
        Assert.Equal("vgpu test", block.Name);
        Assert.True(block.ChecksumOk);
        Assert.Equal(0, block.Extensions);
        Assert.Equal(new DetailedTiming(1024, 768, 65_000_000, 1344, 806), block.Preferred);
        Assert.Equal(65e6 / (1344 * 806), block.Preferred!.RefreshHz, 9);
        Assert.Equal("RHT 0x1234 \"vgpu test\", EDID 1.4, preferred 1024x768 at 60.00 Hz", block.ToString());
    }

    [Fact]
    public void TryParse_TwelveBitSizes_TakeTheirTopNibbles()
    {
        // 3840x2160: 0xF00 and 0x870; blanking 560 (0x230) and 90 (0x05A); 594 MHz = 0xE808 x 10 kHz.
        byte[] e = EdidSamples.Dmt1024x768();
        byte[] timing = [0x08, 0xE8, 0x00, 0x30, 0xF2, 0x70, 0x5A, 0x80];
        timing.CopyTo(e, 54);
        e[127] = EdidSamples.Checksum(e);

        Assert.True(EdidBlock.TryParse(e, out EdidBlock? block, out _));

        Assert.Equal(new DetailedTiming(3840, 2160, 594_000_000, 4400, 2250), block!.Preferred);
        Assert.Equal(60.0, block.Preferred!.RefreshHz, 9);
    }

    [Fact]
    public void TryParse_BadChecksum_IsReadAndSaysSo()
    {
        byte[] e = EdidSamples.Dmt1024x768();
        e[127] ^= 1;

        Assert.True(EdidBlock.TryParse(e, out EdidBlock? block, out _));
        Assert.False(block!.ChecksumOk);
        Assert.EndsWith(", bad checksum", block.ToString());
    }

    [Fact]
    public void TryParse_NoTimingDescriptor_HasNoPreferredMode()
    {
        byte[] e = EdidSamples.Dmt1024x768();
        e[54] = 0;
        e[55] = 0;
        e[127] = EdidSamples.Checksum(e);

        Assert.True(EdidBlock.TryParse(e, out EdidBlock? block, out _));
        Assert.Null(block!.Preferred);
        Assert.Contains("no detailed timing", block.ToString());
    }

    [Fact]
    public void TryParse_RefusesWhatIsNotAnEdid()
    {
        Assert.False(EdidBlock.TryParse(new byte[100], out _, out string? shortProblem));
        Assert.Equal("100 bytes, less than the 128-byte EDID base block", shortProblem);

        byte[] e = EdidSamples.Dmt1024x768();
        e[0] = 0x01;
        Assert.False(EdidBlock.TryParse(e, out EdidBlock? block, out string? headerProblem));
        Assert.Null(block);
        Assert.Equal("not an EDID: it starts 01FFFFFFFFFFFF00, not 00FFFFFFFFFFFF00", headerProblem);
    }
}
