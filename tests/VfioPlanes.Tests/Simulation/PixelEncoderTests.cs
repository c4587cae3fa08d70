using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class PixelEncoderTests
{
    // X tiles: 512 bytes x 8 rows = 4096 bytes, row-major inside and across. Offsets worked out by hand.
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(508, 7, 7 * 512 + 508)]            // last pixel of tile 0
    [InlineData(512, 0, 4096)]                     // first byte of tile 1 (right of tile 0)
    [InlineData(520, 9, 3 * 4096 + 512 + 8)]       // tile row 1, column 1 of a 2-tile stride = tile 3: 12808
    [InlineData(0, 8, 2 * 4096)]                   // first byte of the second tile row
    public void XTiled_ByteOffset_MatchesHandComputed(int xByte, int y, long expected)
    {
        Assert.Equal(expected, PixelEncoder.Tiles(DrmModifier.I915XTiled).ByteOffset(1024, xByte, y));
    }

    // Y tiles: 128 bytes x 32 rows; 16-byte columns of 32 rows (512 bytes) each, stored one after another.
    [Theory]
    [InlineData(20, 3, 512 + 3 * 16 + 4)]          // column 1, row 3, byte 4: 564
    [InlineData(130, 33, 3 * 4096 + 16 + 2)]       // tile row 1, column 1 of a 2-tile stride = tile 3: 12306
    [InlineData(127, 31, 7 * 512 + 31 * 16 + 15)]  // last byte of tile 0: 4095
    public void YTiled_ByteOffset_MatchesHandComputed(int xByte, int y, long expected)
    {
        Assert.Equal(expected, PixelEncoder.Tiles(DrmModifier.I915YTiled).ByteOffset(256, xByte, y));
    }

    [Fact]
    public void XTiled_EncodeRect_PutsPixelBytesAtTheirTiledPlace()
    {
        const int width = 256, height = 16, stride = 1024;
        byte[] rgba = new byte[width * height * 4];
        int p = (9 * width + 130) * 4;
        rgba[p] = 0x11;
        rgba[p + 1] = 0x22;
        rgba[p + 2] = 0x33;
        byte[] dest = new byte[stride * height];
        PixelEncoder.EncodeRect(rgba, width, 0, 0, width, height, dest, DrmFourcc.XRGB8888, DrmModifier.I915XTiled, stride);

        // x = 130 is byte 520, in tile 3 at 512 + 8 = 12808; XRGB8888 memory order is B, G, R, X.
        Assert.Equal(new byte[] { 0x33, 0x22, 0x11, 0x00 }, dest[12808..12812]);
        Assert.Equal(4, dest.Count(b => b != 0) + 1); // only those three non-zero bytes (X is 0)
    }

    [Fact]
    public void XTiled_Encoding_IsLinearEncodingWalkedTileByTile()
    {
        const int width = 300, height = 21; // not whole tiles: stride 1536 (3 tiles), 3 tile rows
        var random = new Random(7);
        byte[] rgba = new byte[width * height * 4];
        random.NextBytes(rgba);
        int stride = PixelEncoder.StrideFor(DrmFourcc.XRGB8888, DrmModifier.I915XTiled, width);
        Assert.Equal(1536, stride);
        Assert.Equal(1536L * 24, PixelEncoder.SizeFor(DrmModifier.I915XTiled, stride, height));

        byte[] linear = new byte[stride * height];
        PixelEncoder.EncodeRect(rgba, width, 0, 0, width, height, linear, DrmFourcc.XRGB8888, DrmModifier.Linear, stride);
        byte[] tiled = new byte[stride * 24];
        PixelEncoder.EncodeRect(rgba, width, 0, 0, width, height, tiled, DrmFourcc.XRGB8888, DrmModifier.I915XTiled, stride);

        // Walk the tiled buffer in storage order: tile rows, tiles, rows of 512 bytes.
        int next = 0;
        for (int tileRow = 0; tileRow < 3; tileRow++)
        {
            for (int tile = 0; tile < stride / 512; tile++)
            {
                for (int row = 0; row < 8; row++)
                {
                    for (int b = 0; b < 512; b++, next++)
                    {
                        int y = tileRow * 8 + row;
                        if (y < height)
                        {
                            Assert.Equal(linear[y * stride + tile * 512 + b], tiled[next]);
                        }
                    }
                }
            }
        }
    }

    public static TheoryData<uint, byte[], byte[]> PixelCases => new()
    {
        // drm_fourcc.h: little-endian words, first letter = most significant channel.
        { DrmFourcc.XRGB8888, [1, 2, 3, 4], [3, 2, 1, 0] },
        { DrmFourcc.XBGR8888, [1, 2, 3, 4], [1, 2, 3, 0] },
        { DrmFourcc.RGBX8888, [1, 2, 3, 4], [0, 3, 2, 1] },
        { DrmFourcc.BGRX8888, [1, 2, 3, 4], [0, 1, 2, 3] },
        { DrmFourcc.ARGB8888, [1, 2, 3, 4], [3, 2, 1, 4] },
        { DrmFourcc.ABGR8888, [1, 2, 3, 4], [1, 2, 3, 4] },
        // R 255 -> 1023, G 0, B 128 -> 514 (128 << 2 | 128 >> 6): 0x3FF00202
        { DrmFourcc.XRGB2101010, [255, 0, 128, 255], [0x02, 0x02, 0xF0, 0x3F] },
        // B 255 in the top field, R 128 at the bottom, alpha 255 -> 3: 0xFFF00202
        { DrmFourcc.ABGR2101010, [128, 0, 255, 255], [0x02, 0x02, 0xF0, 0xFF] },
        // R 31, G 63, B 0: 0xFFE0
        { DrmFourcc.RGB565, [255, 255, 0, 255], [0xE0, 0xFF] },
        // B 31 at the top, R 8 (66 >> 3) at the bottom, G 0: 0xF808
        { DrmFourcc.BGR565, [66, 0, 255, 255], [0x08, 0xF8] },
        { DrmFourcc.RGB888, [1, 2, 3, 255], [3, 2, 1] },
        { DrmFourcc.BGR888, [1, 2, 3, 255], [1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(PixelCases))]
    public void EncodePixel_WritesDrmByteOrder(uint fourcc, byte[] rgba, byte[] expected)
    {
        byte[] o = new byte[4];
        PixelEncoder.EncodePixel(fourcc, rgba[0], rgba[1], rgba[2], rgba[3], o);
        Assert.Equal(expected, o[..expected.Length]);
    }

    [Fact]
    public void Encode422_WhiteAndBlack_AreBt601LimitedRange()
    {
        byte[] o = new byte[4];
        PixelEncoder.Encode422(DrmFourcc.YUYV, [255, 255, 255, 255, 0, 0, 0, 255], o);
        // Y white = 16 + 219 = 235, black = 16; the pair averages to mid grey: U = V = 128.
        Assert.Equal(new byte[] { 235, 128, 16, 128 }, o);
        PixelEncoder.Encode422(DrmFourcc.UYVY, [0, 0, 0, 255, 0, 0, 0, 255], o);
        Assert.Equal(new byte[] { 128, 16, 128, 16 }, o);
        PixelEncoder.Encode422(DrmFourcc.VYUY, [255, 0, 0, 255, 255, 0, 0, 255], o);
        // pure red: Y = 16 + (66*255+128)>>8 = 82, U = 128 + (-38*255+128)>>8 = 90, V = 128 + (112*255+128)>>8 = 240
        Assert.Equal(new byte[] { 240, 82, 90, 82 }, o);
    }
}
