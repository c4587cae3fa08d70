using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>
/// Tiled planes are built here tile by tile, walking memory in the order the tiles lie (not via
/// the converter's address function), from a linear plane whose expected RGBA is known.
/// Sizes are chosen so the last tile column and the last tile row are cut.
/// </summary>
public sealed class TilingTests
{
    /// <summary>X tiles: 4 KiB each, row-major across the stride; inside, 8 rows of 512 contiguous bytes.</summary>
    internal static byte[] TileX(byte[] linear, int linearStride, int rowBytes, int height, int stride)
    {
        int tilesAcross = stride / 512;
        int tileRows = (height + 7) / 8;
        byte[] tiled = new byte[stride * tileRows * 8];
        Array.Fill(tiled, (byte)0xCC);
        int at = 0;
        for (int ty = 0; ty < tileRows; ty++)
        {
            for (int tx = 0; tx < tilesAcross; tx++)
            {
                for (int row = 0; row < 8; row++)
                {
                    for (int b = 0; b < 512; b++, at++)
                    {
                        int x = (tx * 512) + b;
                        int y = (ty * 8) + row;
                        if (x < rowBytes && y < height)
                        {
                            tiled[at] = linear[(y * linearStride) + x];
                        }
                    }
                }
            }
        }

        return tiled;
    }

    /// <summary>Y tiles: 4 KiB each, row-major across the stride; inside, 8 columns of 16 bytes by 32 rows, column after column.</summary>
    internal static byte[] TileY(byte[] linear, int linearStride, int rowBytes, int height, int stride)
    {
        int tilesAcross = stride / 128;
        int tileRows = (height + 31) / 32;
        byte[] tiled = new byte[stride * tileRows * 32];
        Array.Fill(tiled, (byte)0xCC);
        int at = 0;
        for (int ty = 0; ty < tileRows; ty++)
        {
            for (int tx = 0; tx < tilesAcross; tx++)
            {
                for (int column = 0; column < 8; column++)
                {
                    for (int row = 0; row < 32; row++)
                    {
                        for (int b = 0; b < 16; b++, at++)
                        {
                            int x = (tx * 128) + (column * 16) + b;
                            int y = (ty * 32) + row;
                            if (x < rowBytes && y < height)
                            {
                                tiled[at] = linear[(y * linearStride) + x];
                            }
                        }
                    }
                }
            }
        }

        return tiled;
    }

    private static void XR24Pixel(int x, int y, Span<byte> bgrx)
    {
        // A pixel that names its own position: B = x low, G = y, R = x high | 0x80.
        bgrx[0] = (byte)x;
        bgrx[1] = (byte)y;
        bgrx[2] = (byte)(0x80 | (x >> 8));
        bgrx[3] = 0;
    }

    private static (byte[] Linear, byte[] Expected) XR24Plane(int width, int height)
    {
        byte[] linear = new byte[width * height * 4];
        byte[] expected = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 4;
                XR24Pixel(x, y, linear.AsSpan(i, 4));
                expected[i] = (byte)(0x80 | (x >> 8));
                expected[i + 1] = (byte)y;
                expected[i + 2] = (byte)x;
                expected[i + 3] = 255;
            }
        }

        return (linear, expected);
    }

    [Theory]
    [InlineData(130, 10, 1024)]  // 520 bytes a row: the second tile column holds 2 pixels; 2 of 8 rows in the second tile row
    [InlineData(128, 8, 512)]    // exactly one tile
    [InlineData(1, 1, 512)]
    [InlineData(300, 17, 2048)]  // a stride wider than the plane: a whole unused tile column
    public void XTiled_XR24_CutTiles(int width, int height, int stride)
    {
        (byte[] linear, byte[] expected) = XR24Plane(width, height);
        byte[] tiled = TileX(linear, width * 4, width * 4, height, stride);
        Assert.Equal(expected, PixelConverterTests.Convert(tiled, DrmFourcc.XRGB8888, width, height, stride, modifier: DrmModifier.I915XTiled));
    }

    [Theory]
    [InlineData(37, 33, 256)]  // 148 bytes a row: the second tile column holds 5 pixels; 1 row of the second tile row
    [InlineData(32, 32, 128)]  // exactly one tile
    [InlineData(3, 1, 128)]
    [InlineData(70, 40, 512)]
    public void YTiled_XR24_CutTiles(int width, int height, int stride)
    {
        (byte[] linear, byte[] expected) = XR24Plane(width, height);
        byte[] tiled = TileY(linear, width * 4, width * 4, height, stride);
        Assert.Equal(expected, PixelConverterTests.Convert(tiled, DrmFourcc.XRGB8888, width, height, stride, modifier: DrmModifier.I915YTiled));
    }

    [Theory]
    [InlineData(DrmModifier.I915XTiled, 200, 9, 1024)]
    [InlineData(DrmModifier.I915YTiled, 50, 33, 256)]
    public void Tiled_Rgb888_PixelsStraddleTileRuns(ulong modifier, int width, int height, int stride)
    {
        // 3-byte pixels cross the 512-byte X runs and 16-byte Y columns (512 and 16 are not multiples of 3).
        int rowBytes = width * 3;
        byte[] linear = new byte[rowBytes * height];
        byte[] expected = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                // RG24 bytes B, G, R.
                int s = (y * rowBytes) + (x * 3);
                linear[s] = (byte)(x * 7);
                linear[s + 1] = (byte)y;
                linear[s + 2] = (byte)x;
                int d = ((y * width) + x) * 4;
                expected[d] = (byte)x;
                expected[d + 1] = (byte)y;
                expected[d + 2] = (byte)(x * 7);
                expected[d + 3] = 255;
            }
        }

        byte[] tiled = modifier == DrmModifier.I915XTiled
            ? TileX(linear, rowBytes, rowBytes, height, stride)
            : TileY(linear, rowBytes, rowBytes, height, stride);
        Assert.Equal(expected, PixelConverterTests.Convert(tiled, DrmFourcc.RGB888, width, height, stride, modifier: modifier));
    }

    [Theory]
    [InlineData(DrmModifier.I915XTiled, 3, 9, 512)]
    [InlineData(DrmModifier.I915YTiled, 9, 33, 128)]
    public void Tiled_Yuyv_OddWidth(ulong modifier, int width, int height, int stride)
    {
        // Every pair is (Y0=81, Cb=90, Y1=145, Cr=240): hand-worked in PixelConverterTests to (255,0,0), (255,74,74).
        int rowBytes = (width + 1) / 2 * 4;
        byte[] linear = new byte[rowBytes * height];
        for (int i = 0; i < linear.Length; i += 4)
        {
            linear[i] = 81;
            linear[i + 1] = 90;
            linear[i + 2] = 145;
            linear[i + 3] = 240;
        }

        byte[] expected = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            int x = p % width;
            expected[(p * 4) + 0] = 255;
            expected[(p * 4) + 1] = (byte)(x % 2 == 0 ? 0 : 74);
            expected[(p * 4) + 2] = (byte)(x % 2 == 0 ? 0 : 74);
            expected[(p * 4) + 3] = 255;
        }

        byte[] tiled = modifier == DrmModifier.I915XTiled
            ? TileX(linear, rowBytes, rowBytes, height, stride)
            : TileY(linear, rowBytes, rowBytes, height, stride);
        Assert.Equal(expected, PixelConverterTests.Convert(tiled, DrmFourcc.YUYV, width, height, stride, modifier: modifier));
    }

    [Fact]
    public void YTiled_Rgb565()
    {
        // RG16 with every pixel 0xF800 (pure red): bytes 00 F8.
        int width = 70, height = 3, stride = 256;
        byte[] linear = new byte[width * 2 * height];
        for (int i = 0; i < linear.Length; i += 2)
        {
            linear[i + 1] = 0xF8;
        }

        byte[] tiled = TileY(linear, width * 2, width * 2, height, stride);
        byte[] result = PixelConverterTests.Convert(tiled, DrmFourcc.RGB565, width, height, stride, modifier: DrmModifier.I915YTiled);
        for (int i = 0; i < result.Length; i += 4)
        {
            Assert.Equal([255, 0, 0, 255], result[i..(i + 4)]);
        }
    }

    [Theory]
    [InlineData(DrmModifier.I915XTiled, 512, 8)]
    [InlineData(DrmModifier.I915YTiled, 128, 32)]
    public void Tiled_SourceMustHoldWholeTileRows(ulong modifier, int stride, int tileRows)
    {
        // Height one past a tile row: stride * height bytes are not enough, the second row of tiles must be whole.
        int height = tileRows + 1;
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, modifier, 16, height, stride);
        byte[] dst = new byte[16 * height * 4];
        var e = Assert.Throws<ArgumentException>(() => PixelConverter.ToRgba(new byte[(stride * 2 * tileRows) - 1], layout, dst, 64, false));
        Assert.Equal("src", e.ParamName);
        Assert.Contains("whole rows of tiles", e.Message);
        Assert.Equal(stride * 2L * tileRows, PixelConverter.RequiredSourceBytes(layout));
        PixelConverter.ToRgba(new byte[stride * 2 * tileRows], layout, dst, 64, false);
    }

    [Theory]
    [InlineData(DrmModifier.I915XTiled, 1000)]
    [InlineData(DrmModifier.I915YTiled, 200)]
    public void Tiled_StrideMustBeWholeTiles(ulong modifier, int stride)
    {
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, modifier, 16, 8, stride);
        var e = Assert.Throws<ArgumentException>(() => PixelConverter.ToRgba(new byte[stride * 64], layout, new byte[16 * 8 * 4], 64, false));
        Assert.Equal("layout.Stride", e.ParamName);
        Assert.Contains("multiple", e.Message);
    }
}
