using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

public sealed class ConverterValidationTests
{
    private static ArgumentException Fails(byte[] src, PlaneLayout layout, byte[] dst, int dstStride)
    {
        byte[] before = (byte[])dst.Clone();
        var e = Assert.Throws<ArgumentException>(() => PixelConverter.ToRgba(src, layout, dst, dstStride, false));
        Assert.Equal(before, dst);
        return e;
    }

    [Fact]
    public void UnknownFourcc_IsUnsupportedFormat()
    {
        Assert.True(DrmFourcc.TryParse("NV12", out uint nv12));
        var e = Fails(new byte[64], new PlaneLayout(nv12, 0, 4, 4, 4), new byte[64], 16);
        Assert.Equal("layout.Fourcc", e.ParamName);
        Assert.Contains("unsupported format 'NV12'", e.Message);
    }

    [Theory]
    [InlineData(DrmModifier.I915YfTiled, "unsupported modifier I915_Yf_TILED")]
    [InlineData(0x0200000000000001UL, "unsupported modifier 0x200000000000001")]
    [InlineData(DrmModifier.Invalid, "unsupported modifier INVALID")]
    public void OtherModifiers_AreUnsupported(ulong modifier, string message)
    {
        var e = Fails(new byte[1 << 16], new PlaneLayout(DrmFourcc.XRGB8888, modifier, 4, 4, 512), new byte[64], 16);
        Assert.Equal("layout.Modifier", e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void StrideBelowWidthTimesBytesPerPixel()
    {
        var e = Fails(new byte[1024], new PlaneLayout(DrmFourcc.XRGB8888, 0, 10, 4, 39), new byte[160], 40);
        Assert.Equal("layout.Stride", e.ParamName);
        Assert.Contains("39", e.Message);
        Assert.Contains("40", e.Message);
    }

    [Fact]
    public void OddWidthYuv_StrideMustHoldTheWholeLastPair()
    {
        // Width 3 of YUYV takes two pairs, 8 bytes: a stride of 6 (3 * 2) is short.
        var e = Fails(new byte[64], new PlaneLayout(DrmFourcc.YUYV, 0, 3, 2, 6), new byte[24], 12);
        Assert.Equal("layout.Stride", e.ParamName);
    }

    [Fact]
    public void LayoutMessages_SayWhatIsWrong_WithoutParameterNames()
    {
        // Messages reach users through capture and expect: the plane's field, not the parameter.
        var e = Fails(new byte[2048], new PlaneLayout(DrmFourcc.YUYV, 0, 63, 8, 126), new byte[63 * 4 * 8], 63 * 4);
        Assert.StartsWith("stride 126 is below the 128 bytes of a row (63 pixels of YUYV)", e.Message);
        Assert.Contains("is outside", Fails(new byte[64], new PlaneLayout(DrmFourcc.C8, 0, 0, 4, 4), new byte[64], 16).Message);
        foreach (string message in new[]
        {
            e.Message,
            Fails(new byte[64], new PlaneLayout(DrmFourcc.C8, 0, 0, 4, 4), new byte[64], 16).Message,
            Fails(new byte[64], new PlaneLayout(DrmFourcc.C8, 0, 4, 0, 4), new byte[64], 16).Message,
            Fails(new byte[1 << 16], new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.I915XTiled, 4, 4, 500), new byte[64], 16).Message,
        })
        {
            Assert.DoesNotContain("layout.", message.Replace("(Parameter 'layout.", string.Empty, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SourceShorterThanRows()
    {
        // 4 rows of stride 40 with 40 bytes in the last: 3 * 40 + 40 = 160; 159 is short.
        var e = Fails(new byte[159], new PlaneLayout(DrmFourcc.XRGB8888, 0, 10, 4, 40), new byte[160], 40);
        Assert.Equal("src", e.ParamName);
        Assert.Contains("160", e.Message);
    }

    [Fact]
    public void DestinationTooSmall()
    {
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, 0, 10, 4, 40);
        Assert.Equal("dst", Fails(new byte[160], layout, new byte[159], 40).ParamName);
        Assert.Equal("dstStride", Fails(new byte[160], layout, new byte[1000], 39).ParamName);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(4, 0)]
    [InlineData(-1, 4)]
    [InlineData(16385, 1)]
    public void SizesOutsideRange(int width, int height)
    {
        var e = Fails(new byte[1 << 20], new PlaneLayout(DrmFourcc.C8, 0, width, height, 1 << 15), new byte[1 << 20], 1 << 16);
        Assert.StartsWith("layout.", e.ParamName);
    }

    [Fact]
    public void FromPlane_RejectsValuesBeyondIntRange()
    {
        var plane = new VgpuView.VfioPlanes.Planes.PlaneInfo { Fourcc = DrmFourcc.XRGB8888, Width = 0x80000000u, Height = 1, Stride = 4 };
        Assert.Throws<ArgumentException>(() => PlaneLayout.FromPlane(plane));
        var ok = plane with { Width = 640, Height = 480, Stride = 2560, Modifier = DrmModifier.I915XTiled };
        Assert.Equal(new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.I915XTiled, 640, 480, 2560), PlaneLayout.FromPlane(ok));
    }
}
