using System.Runtime.Intrinsics.X86;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>
/// Every format with a few pixels whose expected RGBA is worked out by hand from drm_fourcc.h's
/// description of the pixel word (the comments show the arithmetic). Each conversion runs on the
/// scalar path and, where the machine has AVX2, on the vector path; both must give the same bytes.
/// </summary>
public sealed class PixelConverterTests
{
    internal static byte[] Convert(byte[] src, uint fourcc, int width, int height, int stride, bool keepAlpha = false, ulong modifier = DrmModifier.Linear)
    {
        var layout = new PlaneLayout(fourcc, modifier, width, height, stride);
        byte[] scalar = new byte[width * height * 4];
        PixelConverter.Convert(src, layout, scalar, width * 4, keepAlpha, vectorise: false);
        if (Avx2.IsSupported)
        {
            byte[] vector = new byte[width * height * 4];
            PixelConverter.Convert(src, layout, vector, width * 4, keepAlpha, vectorise: true);
            Assert.Equal(scalar, vector);
        }

        return scalar;
    }

    private static byte[] Rgba(params (int R, int G, int B, int A)[] pixels) =>
        pixels.SelectMany(p => new[] { (byte)p.R, (byte)p.G, (byte)p.B, (byte)p.A }).ToArray();

    [Theory]
    // Source bytes 10 20 30 40 (then 01 02 03 04) as each 32-bit format reads them.
    [InlineData("XR24", false, 0x30, 0x20, 0x10, 255, 0x03, 0x02, 0x01, 255)] // bytes B G R x
    [InlineData("XR24", true, 0x30, 0x20, 0x10, 255, 0x03, 0x02, 0x01, 255)]  // x is padding, not alpha
    [InlineData("AR24", false, 0x30, 0x20, 0x10, 255, 0x03, 0x02, 0x01, 255)] // bytes B G R A, shown opaque
    [InlineData("AR24", true, 0x30, 0x20, 0x10, 0x40, 0x03, 0x02, 0x01, 0x04)]
    [InlineData("XB24", false, 0x10, 0x20, 0x30, 255, 0x01, 0x02, 0x03, 255)] // bytes R G B x
    [InlineData("AB24", true, 0x10, 0x20, 0x30, 0x40, 0x01, 0x02, 0x03, 0x04)] // bytes R G B A
    [InlineData("AB24", false, 0x10, 0x20, 0x30, 255, 0x01, 0x02, 0x03, 255)]
    [InlineData("RX24", true, 0x40, 0x30, 0x20, 255, 0x04, 0x03, 0x02, 255)]  // bytes x B G R
    [InlineData("BX24", true, 0x20, 0x30, 0x40, 255, 0x02, 0x03, 0x04, 255)]  // bytes x R G B
    public void Rgb32_TwoPixels(string fourcc, bool keepAlpha, int r0, int g0, int b0, int a0, int r1, int g1, int b1, int a1)
    {
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        byte[] src = [0x10, 0x20, 0x30, 0x40, 0x01, 0x02, 0x03, 0x04];
        Assert.Equal(Rgba((r0, g0, b0, a0), (r1, g1, b1, a1)), Convert(src, code, 2, 1, 8, keepAlpha));
    }

    [Fact]
    public void Rgb565_FieldsWidenedByBitReplication()
    {
        // RG16 [15:0] R:G:B 5:6:5. Pixel 0: R=0x1F G=0x20 B=0x01 → word 0xF800|0x0400|0x0001 = 0xFC01.
        //   R 0x1F → 0xFF; G 100000b → 10000010b = 0x82; B 00001b → 00001000b = 0x08.
        // Pixel 1: R=0x10 G=0x3F B=0 → word 0x8000|0x07E0 = 0x87E0. R 10000b → 10000100b = 0x84.
        byte[] src = [0x01, 0xFC, 0xE0, 0x87];
        Assert.Equal(Rgba((0xFF, 0x82, 0x08, 255), (0x84, 0xFF, 0x00, 255)), Convert(src, DrmFourcc.RGB565, 2, 1, 4, keepAlpha: true));
    }

    [Fact]
    public void Bgr565_BlueInTheTopBits()
    {
        // BG16 [15:0] B:G:R 5:6:5: the same words put 0x1F/0x10 in blue and 0x01/0 in red.
        byte[] src = [0x01, 0xFC, 0xE0, 0x87];
        Assert.Equal(Rgba((0x08, 0x82, 0xFF, 255), (0x00, 0xFF, 0x84, 255)), Convert(src, DrmFourcc.BGR565, 2, 1, 4));
    }

    [Fact]
    public void Rgb888_AndBgr888()
    {
        byte[] src = [0x10, 0x20, 0x30, 0x01, 0x02, 0x03, 0xAA];
        // RG24 [23:0] R:G:B little endian: bytes B G R.
        Assert.Equal(Rgba((0x30, 0x20, 0x10, 255), (0x03, 0x02, 0x01, 255)), Convert(src, DrmFourcc.RGB888, 2, 1, 7));
        // BG24: bytes R G B.
        Assert.Equal(Rgba((0x10, 0x20, 0x30, 255), (0x01, 0x02, 0x03, 255)), Convert(src, DrmFourcc.BGR888, 2, 1, 7));
    }

    [Fact]
    public void Rgb30_TopEightBitsAndTwoBitAlpha()
    {
        // Pixel 0: bits [31:30]=3 [29:20]=0x3FF [19:10]=0x200 [9:0]=0x001 → 0xFFF80001.
        // Pixel 1: bits [31:30]=1 [29:20]=0x155 [19:10]=0x0FF [9:0]=0x3FC → 0x5553FFFC.
        // 10 bits → top 8: 0x3FF→0xFF, 0x200→0x80, 0x001→0x00, 0x155→0x55, 0x0FF→0x3F, 0x3FC→0xFF.
        // 2-bit alpha replicated: 3 → 0xFF, 1 → 0x55.
        byte[] src = [0x01, 0x00, 0xF8, 0xFF, 0xFC, 0xFF, 0x53, 0x55];
        Assert.Equal(Rgba((0xFF, 0x80, 0x00, 255), (0x55, 0x3F, 0xFF, 255)), Convert(src, DrmFourcc.XRGB2101010, 2, 1, 8, keepAlpha: true));
        Assert.Equal(Rgba((0x00, 0x80, 0xFF, 255), (0xFF, 0x3F, 0x55, 255)), Convert(src, DrmFourcc.XBGR2101010, 2, 1, 8, keepAlpha: true));
        Assert.Equal(Rgba((0xFF, 0x80, 0x00, 0xFF), (0x55, 0x3F, 0xFF, 0x55)), Convert(src, DrmFourcc.ARGB2101010, 2, 1, 8, keepAlpha: true));
        Assert.Equal(Rgba((0x00, 0x80, 0xFF, 0xFF), (0xFF, 0x3F, 0x55, 0x55)), Convert(src, DrmFourcc.ABGR2101010, 2, 1, 8, keepAlpha: true));
        Assert.Equal(Rgba((0x00, 0x80, 0xFF, 255), (0xFF, 0x3F, 0x55, 255)), Convert(src, DrmFourcc.ABGR2101010, 2, 1, 8, keepAlpha: false));
    }

    [Fact]
    public void C8_IsGrey()
    {
        byte[] src = [0x00, 0x7F, 0xFF];
        Assert.Equal(Rgba((0, 0, 0, 255), (0x7F, 0x7F, 0x7F, 255), (255, 255, 255, 255)), Convert(src, DrmFourcc.C8, 3, 1, 3));
    }

    // Pairs (Y0, Cb, Y1, Cr) and their RGB by the documented BT.601 formula, worked by hand:
    //   (16, 128, 235, 128): C=0 → 128>>8 = 0 black; C=219: 298*219 + 128 = 65390 >> 8 = 255 white.
    //   (81, 90, 145, 240):  C=65 (19370), D=-38, E=112.
    //     R = 19370 + 45808 + 128 = 65306 >> 8 = 255; G = 19370 + 3800 - 23296 + 128 = 2 >> 8 = 0;
    //     B = 19370 - 19608 + 128 = -110 >> 8 = -1 → 0.            → (255, 0, 0)
    //     Y1: C=129 (38442): R 84378 >> 8 = 329 → 255; G 19074 >> 8 = 74; B 18962 >> 8 = 74 → (255, 74, 74)
    //   (100, 200, 50, 60):  C=84 (25032), D=72, E=-68.
    //     R = 25032 - 27812 + 128 = -2652 → 0; G = 25032 - 7200 + 14144 + 128 = 32104 >> 8 = 125;
    //     B = 25032 + 37152 + 128 = 62312 >> 8 = 243                 → (0, 125, 243)
    //     Y1: C=34 (10132): R → 0; G 17204 >> 8 = 67; B 47412 >> 8 = 185 → (0, 67, 185)
    private static readonly (int Y0, int Cb, int Y1, int Cr)[] s_pairs = [(16, 128, 235, 128), (81, 90, 145, 240), (100, 200, 50, 60)];

    private static readonly (int R, int G, int B, int A)[] s_pairPixels =
        [(0, 0, 0, 255), (255, 255, 255, 255), (255, 0, 0, 255), (255, 74, 74, 255), (0, 125, 243, 255), (0, 67, 185, 255)];

    private static byte[] PackPairs(string fourcc)
    {
        var bytes = new List<byte>();
        foreach ((int y0, int cb, int y1, int cr) in s_pairs)
        {
            // drm_fourcc.h byte order of each 4:2:2 format, first byte first.
            int[] order = fourcc switch
            {
                "YUYV" => [y0, cb, y1, cr],
                "YVYU" => [y0, cr, y1, cb],
                "UYVY" => [cb, y0, cr, y1],
                "VYUY" => [cr, y0, cb, y1],
                _ => throw new ArgumentException(fourcc),
            };
            bytes.AddRange(order.Select(v => (byte)v));
        }

        return bytes.ToArray();
    }

    [Theory]
    [InlineData("YUYV")]
    [InlineData("YVYU")]
    [InlineData("UYVY")]
    [InlineData("VYUY")]
    public void Yuv422_Bt601LimitedRange(string fourcc)
    {
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.Equal(Rgba(s_pairPixels), Convert(PackPairs(fourcc), code, 6, 1, 12));
    }

    [Theory]
    [InlineData("YUYV")]
    [InlineData("VYUY")]
    public void Yuv422_OddWidth_LastPixelUsesItsPairsChroma(string fourcc)
    {
        // Width 5: the third pair is in memory whole, only its Y0 is shown, with its pair's Cb/Cr.
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.Equal(Rgba(s_pairPixels[..5]), Convert(PackPairs(fourcc), code, 5, 1, 12));
    }

    [Fact]
    public void Yuv422_Extremes_Clamp()
    {
        // (255, 255, 255, 255): C=239 (71222), D=E=127: R 71222+51943+128 → 255;
        //   G = 71222 - 12700 - 26416 + 128 = 32234 >> 8 = 125; B → 255.
        // (0, 0, 0, 0): C=-16 (-4768), D=E=-128: R, B negative → 0; G = -4768 + 12800 + 26624 + 128 = 34784 >> 8 = 135.
        byte[] src = [255, 255, 255, 255, 0, 0, 0, 0];
        Assert.Equal(Rgba((255, 125, 255, 255), (255, 125, 255, 255), (0, 135, 0, 255), (0, 135, 0, 255)), Convert(src, DrmFourcc.YUYV, 4, 1, 8));
    }

    [Fact]
    public void Linear_StrideWithPadding_SkipsPaddingAndLeavesDestinationPadding()
    {
        // XR24, 3x2, stride 16: 12 bytes of pixels then 4 of padding (0xEE) per row.
        byte[] src =
        [
            1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0xEE, 0xEE, 0xEE, 0xEE,
            10, 11, 12, 0, 13, 14, 15, 0, 16, 17, 18, 0, 0xEE, 0xEE, 0xEE, 0xEE,
        ];
        byte[] dst = Enumerable.Repeat((byte)0x5A, 20 * 2).ToArray();
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, 3, 2, 16);
        PixelConverter.ToRgba(src, layout, dst, 20, keepAlpha: false);
        byte[] expected =
        [
            3, 2, 1, 255, 6, 5, 4, 255, 9, 8, 7, 255, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A,
            12, 11, 10, 255, 15, 14, 13, 255, 18, 17, 16, 255, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A,
        ];
        Assert.Equal(expected, dst);
    }

    [Fact]
    public void Linear_LastRowNeedNotHavePadding()
    {
        // Two rows of stride 8 holding one XR24 pixel: 8 + 4 bytes are enough.
        byte[] src = [1, 2, 3, 0, 0xEE, 0xEE, 0xEE, 0xEE, 4, 5, 6, 0];
        Assert.Equal(Rgba((3, 2, 1, 255), (6, 5, 4, 255)), Convert(src, DrmFourcc.XRGB8888, 1, 2, 8));
    }

    [Fact]
    public void Linear_OddWidthsAndOddStrides_MatchPerPixelReference()
    {
        // Widths around the vector sizes (4 and 8 pixels) with odd strides, against a per-pixel
        // reference of the XR24 rule (R = byte 2, G = byte 1, B = byte 0).
        var random = new Random(7);
        foreach (int width in new[] { 1, 3, 5, 7, 9, 15, 17, 31, 33 })
        {
            int stride = (width * 4) + 13;
            byte[] src = new byte[stride * 3];
            random.NextBytes(src);
            byte[] expected = new byte[width * 3 * 4];
            for (int y = 0; y < 3; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int s = (y * stride) + (x * 4);
                    int d = ((y * width) + x) * 4;
                    expected[d] = src[s + 2];
                    expected[d + 1] = src[s + 1];
                    expected[d + 2] = src[s];
                    expected[d + 3] = 255;
                }
            }

            Assert.Equal(expected, Convert(src, DrmFourcc.XRGB8888, width, 3, stride));
        }
    }

    [Fact]
    public void FormatTable_EveryFormatConverts()
    {
        foreach (FormatInfo format in FormatTable.All)
        {
            int stride = (int)format.RowBytes(4);
            byte[] result = Convert(new byte[stride * 2], format.Fourcc, 4, 2, stride);
            Assert.Equal(32, result.Length);
        }
    }
}
