using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

public sealed class CursorBlenderTests
{
    private const int Size = 4;

    /// <summary>A 4x4 screen of (10, 20, 30, 255).</summary>
    private static byte[] Screen()
    {
        byte[] s = new byte[Size * Size * 4];
        for (int i = 0; i < s.Length; i += 4)
        {
            s[i] = 10;
            s[i + 1] = 20;
            s[i + 2] = 30;
            s[i + 3] = 255;
        }

        return s;
    }

    /// <summary>A 2x2 opaque cursor; pixel (cx, cy) is (100 + cx, 200 + cy, 50, 255).</summary>
    private static byte[] Cursor2x2() =>
    [
        100, 200, 50, 255, 101, 200, 50, 255,
        100, 201, 50, 255, 101, 201, 50, 255,
    ];

    private static byte[] Pixel(byte[] screen, int x, int y) => screen[(((y * Size) + x) * 4)..((((y * Size) + x) * 4) + 4)];

    /// <summary>Blends the 2x2 cursor at (x, y) and checks every screen pixel: cursor where it lands, the screen elsewhere.</summary>
    private static void CheckPlacement(int x, int y, params (int ScreenX, int ScreenY, int CursorX, int CursorY)[] landed)
    {
        byte[] screen = Screen();
        CursorBlender.Blend(screen, Size, Size, Size * 4, Cursor2x2(), 2, 2, 8, x, y);
        for (int sy = 0; sy < Size; sy++)
        {
            for (int sx = 0; sx < Size; sx++)
            {
                (int ScreenX, int ScreenY, int CursorX, int CursorY)? hit = landed.Cast<(int, int, int, int)?>()
                    .FirstOrDefault(l => l!.Value.Item1 == sx && l.Value.Item2 == sy);
                byte[] expected = hit is { } h ? [(byte)(100 + h.CursorX), (byte)(200 + h.CursorY), 50, 255] : [10, 20, 30, 255];
                Assert.True(expected.AsSpan().SequenceEqual(Pixel(screen, sx, sy)), $"cursor at ({x},{y}): screen pixel ({sx},{sy})");
            }
        }
    }

    [Fact]
    public void Inside() => CheckPlacement(1, 2, (1, 2, 0, 0), (2, 2, 1, 0), (1, 3, 0, 1), (2, 3, 1, 1));

    [Fact]
    public void HalfOffLeft() => CheckPlacement(-1, 1, (0, 1, 1, 0), (0, 2, 1, 1));

    [Fact]
    public void HalfOffTop() => CheckPlacement(2, -1, (2, 0, 0, 1), (3, 0, 1, 1));

    [Fact]
    public void HalfOffRight() => CheckPlacement(3, 0, (3, 0, 0, 0), (3, 1, 0, 1));

    [Fact]
    public void HalfOffBottom() => CheckPlacement(0, 3, (0, 3, 0, 0), (1, 3, 1, 0));

    [Fact]
    public void OffTopLeftCorner() => CheckPlacement(-1, -1, (0, 0, 1, 1));

    [Fact]
    public void OffBottomRightCorner() => CheckPlacement(3, 3, (3, 3, 0, 0));

    [Theory]
    [InlineData(-2, 0)]
    [InlineData(0, -2)]
    [InlineData(4, 0)]
    [InlineData(0, 4)]
    [InlineData(int.MinValue, int.MinValue)]
    [InlineData(int.MaxValue, int.MaxValue)]
    [InlineData(int.MaxValue - 1, 0)]
    public void EntirelyOff_LeavesScreen(int x, int y) => CheckPlacement(x, y);

    [Theory]
    // out = (src * a + dst * (255 - a) + 127) / 255, worked by hand:
    [InlineData(200, 100, 128, 150)] // (25600 + 12700 + 127) / 255 = 38427 / 255 = 150.7 → 150
    [InlineData(255, 0, 1, 1)]       // (255 + 0 + 127) / 255 = 382 / 255 → 1
    [InlineData(0, 255, 254, 1)]     // (0 + 255 + 127) / 255 → 1
    [InlineData(0, 255, 1, 254)]     // (0 + 64770 + 127) / 255 = 64897 / 255 = 254.5 → 254
    [InlineData(77, 200, 0, 200)]    // a = 0: the screen stays
    [InlineData(77, 200, 255, 77)]   // a = 255: the cursor
    [InlineData(100, 100, 37, 100)]  // equal colours stay: (100 * 255 + 127) / 255 → 100
    public void Alpha_ExactRounding(int src, int dst, int alpha, int expected)
    {
        byte[] screen = [(byte)dst, (byte)dst, (byte)dst, 255];
        byte[] cursor = [(byte)src, 0, 255, (byte)alpha];
        CursorBlender.Blend(screen, 1, 1, 4, cursor, 1, 1, 4, 0, 0);
        int g = ((0 * alpha) + (dst * (255 - alpha)) + 127) / 255;
        int b = ((255 * alpha) + (dst * (255 - alpha)) + 127) / 255;
        Assert.Equal(new[] { (byte)expected, (byte)g, (byte)b, (byte)255 }, screen); // an opaque screen stays opaque
    }

    [Theory]
    // out_a = a + dst_a * (255 - a) / 255, rounded as the colours are: (255 * a + dst_a * (255 - a) + 127) / 255.
    [InlineData(0, 255, 255)]     // an opaque cursor over a transparent pixel: opaque, not gone
    [InlineData(0, 128, 128)]     // (32640 + 0 + 127) / 255 = 32767 / 255 = 128.5 → 128
    [InlineData(100, 128, 178)]   // (32640 + 12700 + 127) / 255 = 45467 / 255 = 178.3 → 178
    [InlineData(200, 1, 200)]     // (255 + 50800 + 127) / 255 = 51182 / 255 = 200.7 → 200
    [InlineData(0, 1, 1)]         // (255 + 0 + 127) / 255 = 382 / 255 → 1
    [InlineData(254, 254, 255)]   // (64770 + 254 + 127) / 255 = 65151 / 255 = 255.5 → 255
    [InlineData(255, 37, 255)]    // (9435 + 55590 + 127) / 255 = 65152 / 255 → 255: opaque stays opaque
    [InlineData(77, 0, 77)]       // a = 0: the screen's alpha stays
    public void DestinationAlpha_FollowsOver(int dstAlpha, int alpha, int expected)
    {
        byte[] screen = [10, 20, 30, (byte)dstAlpha];
        byte[] cursor = [255, 0, 0, (byte)alpha];
        CursorBlender.Blend(screen, 1, 1, 4, cursor, 1, 1, 4, 0, 0);
        Assert.Equal(expected, screen[3]);
    }

    [Fact]
    public void OpaqueRedOverATransparentPixel_IsOpaqueRed()
    {
        byte[] screen = [10, 20, 30, 0];
        CursorBlender.Blend(screen, 1, 1, 4, [255, 0, 0, 255], 1, 1, 4, 0, 0);
        Assert.Equal(new byte[] { 255, 0, 0, 255 }, screen);
    }

    [Fact]
    public void HalfCursorOverATransparentPixel_BlendsColoursAndAlpha()
    {
        // Colours: (200*128 + 10*127 + 127) / 255 = 26997 / 255 = 105.9 → 105;
        // (100*128 + 20*127 + 127) / 255 = 15467 / 255 = 60.7 → 60; (50*128 + 30*127 + 127) / 255 = 10337 / 255 = 40.5 → 40.
        // Alpha: (255*128 + 0 + 127) / 255 = 128.
        byte[] screen = [10, 20, 30, 0];
        CursorBlender.Blend(screen, 1, 1, 4, [200, 100, 50, 128], 1, 1, 4, 0, 0);
        Assert.Equal(new byte[] { 105, 60, 40, 128 }, screen);
    }

    [Fact]
    public void Strides_WithPadding()
    {
        // Screen 3x2 with stride 16 (4 padding bytes of 0xEE); cursor 1x2 with stride 8 (padding 0x11, alpha 0 there anyway).
        byte[] screen = new byte[32];
        Array.Fill(screen, (byte)0xEE);
        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                screen.AsSpan((y * 16) + (x * 4), 4).Fill(0);
            }
        }

        byte[] cursor = [1, 2, 3, 255, 0x11, 0x11, 0x11, 0x11, 4, 5, 6, 255];
        CursorBlender.Blend(screen, 3, 2, 16, cursor, 1, 2, 8, 2, 0);
        // The opaque cursor makes the pixels it covers opaque; the padding is not touched.
        byte[] expected =
        [
            0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 255, 0xEE, 0xEE, 0xEE, 0xEE,
            0, 0, 0, 0, 0, 0, 0, 0, 4, 5, 6, 255, 0xEE, 0xEE, 0xEE, 0xEE,
        ];
        Assert.Equal(expected, screen);
    }

    [Fact]
    public void BadSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => CursorBlender.Blend(new byte[63], 4, 4, 16, new byte[16], 2, 2, 8, 0, 0));
        Assert.Throws<ArgumentException>(() => CursorBlender.Blend(new byte[64], 4, 4, 15, new byte[16], 2, 2, 8, 0, 0));
        Assert.Throws<ArgumentException>(() => CursorBlender.Blend(new byte[64], 4, 4, 16, new byte[15], 2, 2, 8, 0, 0));
        Assert.Throws<ArgumentException>(() => CursorBlender.Blend(new byte[64], 4, 4, 16, new byte[16], -2, 2, 8, 0, 0));
    }
}
