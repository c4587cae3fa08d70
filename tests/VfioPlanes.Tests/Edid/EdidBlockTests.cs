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

    // An EDID of the sample base block and the extension blocks given, byte 126 declaring
    // `declared` of them, each block's last byte making its 128 bytes sum to 0 mod 256.
    private static byte[] WithExtensions(int declared, int present)
    {
        byte[] e = new byte[128 * (1 + present)];
        EdidSamples.Dmt1024x768().CopyTo(e, 0);
        e[126] = (byte)declared;
        e[127] = EdidSamples.Checksum(e);
        for (int i = 1; i <= present; i++)
        {
            Span<byte> block = e.AsSpan(i * 128, 128);
            block[0] = 0x02; // CTA-861 extension tag
            block[1] = 3;
            block[2] = (byte)(0x10 * i);
            block[127] = (byte)(256 - ((0x02 + 3 + (0x10 * i)) % 256));
        }

        return e;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void TryValidate_AcceptsTheBlocksTheBaseBlockDeclares(int extensions)
    {
        Assert.True(EdidBlock.TryValidate(WithExtensions(extensions, extensions), out string? problem), problem);
        Assert.Null(problem);
    }

    public static TheoryData<int, int, string> WrongLengths => new()
    {
        { 3, 0, "128 bytes, but its base block declares 3 extension blocks: 512 bytes expected" },
        { 1, 2, "384 bytes, but its base block declares 1 extension block: 256 bytes expected" },
        { 0, 1, "256 bytes, but its base block declares no extension blocks: 128 bytes expected" },
    };

    [Theory]
    [MemberData(nameof(WrongLengths))]
    public void TryValidate_RefusesMoreOrFewerBlocksThanDeclared(int declared, int present, string message)
    {
        Assert.False(EdidBlock.TryValidate(WithExtensions(declared, present), out string? problem));
        Assert.Equal(message, problem);
    }

    [Fact]
    public void TryValidate_RefusesAPartialBlock()
    {
        byte[] e = [.. EdidSamples.Dmt1024x768(), .. new byte[72]];

        Assert.False(EdidBlock.TryValidate(e, out string? problem));
        Assert.Equal("200 bytes, but its base block declares no extension blocks: 128 bytes expected", problem);
    }

    [Theory]
    [InlineData(0, "block 0 (the base block)")]
    [InlineData(1, "block 1 (extension 1 of 3)")]
    [InlineData(3, "block 3 (extension 3 of 3)")]
    public void TryValidate_NamesTheBlockWhoseChecksumIsWrong(int index, string which)
    {
        byte[] e = WithExtensions(3, 3);
        e[(index * 128) + 60] += 5;

        Assert.False(EdidBlock.TryValidate(e, out string? problem));
        Assert.Equal($"the checksum of {which} is wrong: its 128 bytes sum to 5 mod 256, not 0", problem);
    }

    [Fact]
    public void TryValidate_ChecksTheBaseBlockBeforeTrustingItsExtensionCount()
    {
        // Byte 126 corrupted from 0 to 2: the base checksum says so, not the length.
        byte[] e = EdidSamples.Dmt1024x768();
        e[126] = 2;

        Assert.False(EdidBlock.TryValidate(e, out string? problem));
        Assert.Equal("the checksum of block 0 (the base block) is wrong: its 128 bytes sum to 2 mod 256, not 0", problem);
    }
}
