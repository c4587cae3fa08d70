using VgpuView.VfioPlanes.Formats;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Formats;

/// <summary>The format table's facts: sizes, row bytes, and channel fields that fit their pixel word.</summary>
public sealed class FormatInfoTests
{
    [Fact]
    public void Table_EveryFourccOnce_AndFoundByTryGet()
    {
        var seen = new HashSet<uint>();
        foreach (FormatInfo f in FormatTable.All)
        {
            Assert.True(seen.Add(f.Fourcc), $"{f.Name} is in the table twice");
            Assert.True(FormatTable.TryGet(f.Fourcc, out FormatInfo found));
            Assert.Equal(f, found);
        }

        Assert.Equal(19, seen.Count);
        Assert.False(FormatTable.TryGet(0, out _));
        Assert.False(FormatTable.TryGet(0x3231564E, out _)); // NV12: planar, not supported
    }

    [Fact]
    public void RgbFields_FitTheWord_AndDoNotOverlap()
    {
        foreach (FormatInfo f in FormatTable.All)
        {
            if (f.Layout is not (FormatLayout.Packed16 or FormatLayout.Rgb24 or FormatLayout.Rgb32 or FormatLayout.Rgb30))
            {
                continue;
            }

            ulong used = 0;
            foreach (ChannelField c in new[] { f.Rgb.Red, f.Rgb.Green, f.Rgb.Blue, f.Rgb.Alpha })
            {
                if (!c.Present)
                {
                    continue;
                }

                Assert.True(c.Shift + c.Bits <= f.BytesPerPixel * 8, $"{f.Name}: a channel reaches past its {f.BytesPerPixel}-byte word");
                ulong bits = ((1UL << c.Bits) - 1) << c.Shift;
                Assert.True((used & bits) == 0, $"{f.Name}: two channels share bits");
                used |= bits;
            }

            Assert.Equal(f.HasAlpha, f.Rgb.Alpha.Present);
        }
    }

    [Theory]
    [InlineData(DrmFourcc.XRGB8888, 1920, 7680)]
    [InlineData(DrmFourcc.RGB888, 5, 15)]
    [InlineData(DrmFourcc.RGB565, 3, 6)]
    [InlineData(DrmFourcc.C8, 7, 7)]
    // 4:2:2: an odd width ends with a whole pair, four bytes for two pixels.
    [InlineData(DrmFourcc.YUYV, 1920, 3840)]
    [InlineData(DrmFourcc.YUYV, 1, 4)]
    [InlineData(DrmFourcc.UYVY, 33, 68)]
    public void RowBytes(uint fourcc, int width, long expected)
    {
        Assert.True(FormatTable.TryGet(fourcc, out FormatInfo f));
        Assert.Equal(expected, f.RowBytes(width));
    }

    [Fact]
    public void GroupBytes_IsAPixelOrAPair()
    {
        Assert.True(FormatTable.TryGet(DrmFourcc.YVYU, out FormatInfo yuv));
        Assert.Equal(4, yuv.GroupBytes);
        Assert.True(FormatTable.TryGet(DrmFourcc.BGR888, out FormatInfo rgb));
        Assert.Equal(3, rgb.GroupBytes);
    }

    [Fact]
    public void DescribeRow_SaysHowTheBytesComeAbout()
    {
        Assert.True(FormatTable.TryGet(DrmFourcc.XRGB8888, out FormatInfo xr24));
        Assert.Equal("width 640 × 4 bytes of XR24", xr24.DescribeRow(640));
        Assert.True(FormatTable.TryGet(DrmFourcc.YUYV, out FormatInfo yuyv));
        Assert.Equal("width 5 as 3 pixel pairs × 4 bytes of YUYV = 12", yuyv.DescribeRow(5));
    }

    [Fact]
    public void YuvOrder_PutsEachByteOnce()
    {
        foreach (FormatInfo f in FormatTable.All)
        {
            if (f.Layout != FormatLayout.Yuv422)
            {
                continue;
            }

            YuvOrder o = f.Yuv;
            Assert.Equal(new[] { 0, 1, 2, 3 }, new[] { (int)o.Y0, o.Cb, o.Y1, o.Cr }.Order());
        }
    }
}
