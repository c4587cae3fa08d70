using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class SimEdidTests
{
    [Fact]
    public void Build_1024x768_HasTheHandComputedBytes()
    {
        // Vertical blanking: 460 µs at 60 Hz is 0.0276 of a frame, so VB >= 0.0276 (768 + VB):
        // VB = ceil(21.80) = 22 lines. Totals 1024 + 160 = 1184 and 768 + 22 = 790; the clock is
        // 1184 * 790 * 60 = 56,121,600 Hz, stored as 5612 x 10 kHz = 0x15EC.
        byte[] e = SimEdid.Build(new SimMode(1024, 768))!;

        Assert.Equal(new byte[] { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 }, e[..8]);
        Assert.Equal(new byte[] { 0x58, 0xF6 }, e[8..10]); // "VGV": 22 << 10 | 7 << 5 | 22 = 0x58F6
        Assert.Equal(new byte[] { 0xEC, 0x15, 0x00, 0xA0, 0x40, 0x00, 0x16, 0x30 }, e[54..62]);
        Assert.Equal(0xFC, e[75]);
        Assert.Equal("vgpuview sim\n", System.Text.Encoding.ASCII.GetString(e, 77, 13));
        Assert.Equal(0, e.Sum(b => b) % 256);
    }

    [Theory]
    [InlineData(640, 480)]
    [InlineData(1920, 1080)]
    [InlineData(4095, 2160)]
    public void Build_ParsesBackToItsModeAtSixtyHertz(int width, int height)
    {
        Assert.True(EdidBlock.TryParse(SimEdid.Build(new SimMode(width, height)), out EdidBlock? block, out _));
        Assert.True(block!.ChecksumOk);
        Assert.Equal((width, height), (block.Preferred!.Width, block.Preferred.Height));
        Assert.InRange(block.Preferred.RefreshHz, 59.95, 60.05);
    }

    [Theory]
    [InlineData(4096, 2160)]  // 12 bits hold at most 4095
    [InlineData(4000, 4000)]  // pixel clock over 655.35 MHz
    public void Build_AModeNoDetailedTimingCanHold_IsNull(int width, int height) =>
        Assert.Null(SimEdid.Build(new SimMode(width, height)));
}
