using VgpuView.VfioPlanes.Formats;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Formats;

/// <summary>
/// TileLayout against the Intel tilings as the i915 documentation and drm_fourcc.h state them.
/// The expected offsets come from walking memory in order, tile after tile, and naming the plane
/// byte each address holds, not from an address formula.
/// </summary>
public sealed class TileLayoutTests
{
    // The facts used below (drm_fourcc.h, I915_FORMAT_MOD_X_TILED / _Y_TILED, and the i915
    // "Tiling" documentation): every tile is one 4 KiB page, tiles follow one another row-major
    // across the stride. An X tile is 512 bytes by 8 rows, each of its rows 512 contiguous bytes.
    // A Y tile is 128 bytes by 32 rows, stored as 8 columns of 16 bytes (OWords): all 32 rows of
    // the first column, then all 32 of the second, and so on.

    /// <summary>For every byte of a plane, where it lies: filled by walking the buffer address by address.</summary>
    private static long[,] WalkX(int stride, int tileRowsDown)
    {
        var where = new long[tileRowsDown * 8, stride];
        long at = 0;
        for (int ty = 0; ty < tileRowsDown; ty++)
        {
            for (int tx = 0; tx < stride / 512; tx++)
            {
                for (int row = 0; row < 8; row++)
                {
                    for (int b = 0; b < 512; b++)
                    {
                        where[(ty * 8) + row, (tx * 512) + b] = at++;
                    }
                }
            }
        }

        return where;
    }

    private static long[,] WalkY(int stride, int tileRowsDown)
    {
        var where = new long[tileRowsDown * 32, stride];
        long at = 0;
        for (int ty = 0; ty < tileRowsDown; ty++)
        {
            for (int tx = 0; tx < stride / 128; tx++)
            {
                for (int column = 0; column < 8; column++)
                {
                    for (int row = 0; row < 32; row++)
                    {
                        for (int b = 0; b < 16; b++)
                        {
                            where[(ty * 32) + row, (tx * 128) + (column * 16) + b] = at++;
                        }
                    }
                }
            }
        }

        return where;
    }

    [Theory]
    [InlineData(512, 3)]
    [InlineData(1536, 2)]
    [InlineData(7680, 2)]
    public void XTiled_ByteOffset_IsWhereTheWalkPutsEachByte(int stride, int tileRowsDown)
    {
        Assert.True(TileLayout.TryGet(DrmModifier.I915XTiled, 4, out TileLayout tiles));
        long[,] where = WalkX(stride, tileRowsDown);
        for (int y = 0; y < tileRowsDown * 8; y++)
        {
            for (int x = 0; x < stride; x++)
            {
                if (tiles.ByteOffset(stride, x, y) != where[y, x])
                {
                    Assert.Fail($"X stride {stride}: byte ({x}, {y}) at {tiles.ByteOffset(stride, x, y)}, the walk puts it at {where[y, x]}");
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 2)]
    [InlineData(384, 3)]
    [InlineData(7680, 1)]
    public void YTiled_ByteOffset_IsWhereTheWalkPutsEachByte(int stride, int tileRowsDown)
    {
        Assert.True(TileLayout.TryGet(DrmModifier.I915YTiled, 4, out TileLayout tiles));
        long[,] where = WalkY(stride, tileRowsDown);
        for (int y = 0; y < tileRowsDown * 32; y++)
        {
            for (int x = 0; x < stride; x++)
            {
                if (tiles.ByteOffset(stride, x, y) != where[y, x])
                {
                    Assert.Fail($"Y stride {stride}: byte ({x}, {y}) at {tiles.ByteOffset(stride, x, y)}, the walk puts it at {where[y, x]}");
                }
            }
        }
    }

    [Theory]
    // Hand-checked corners: X tile 1 of row band 1 with stride 1024 (2 tiles a band) is tile 3.
    [InlineData(DrmModifier.I915XTiled, 1024, 0, 0, 0)]
    [InlineData(DrmModifier.I915XTiled, 1024, 511, 7, 4095)]
    [InlineData(DrmModifier.I915XTiled, 1024, 512, 8, (3 * 4096) + 0)]
    [InlineData(DrmModifier.I915XTiled, 1024, 700, 9, (3 * 4096) + 512 + 188)]
    // Y: byte 16 of row 0 opens the second column, 512 bytes in; byte 15 of row 31 ends the first.
    [InlineData(DrmModifier.I915YTiled, 256, 16, 0, 512)]
    [InlineData(DrmModifier.I915YTiled, 256, 15, 31, 511)]
    [InlineData(DrmModifier.I915YTiled, 256, 127, 31, 4095)]
    [InlineData(DrmModifier.I915YTiled, 256, 130, 33, (3 * 4096) + 16 + 2)]
    [InlineData(DrmModifier.Linear, 100, 7, 3, 307)]
    public void ByteOffset_HandChecked(ulong modifier, int stride, int xByte, int y, long expected)
    {
        Assert.True(TileLayout.TryGet(modifier, 4, out TileLayout tiles));
        Assert.Equal(expected, tiles.ByteOffset(stride, xByte, y));
    }

    [Theory]
    [InlineData(DrmModifier.Linear, 1, 1, 1, 1)]
    [InlineData(DrmModifier.I915XTiled, 4, 512, 8, 512)]
    [InlineData(DrmModifier.I915YTiled, 2, 128, 32, 16)]
    // i915 (intel_tile_width_bytes): Yf tiles are 64 bytes wide at 1 byte a pixel, 128 at 2 and 4;
    // every tile is 4 KiB, so 64 and 32 rows.
    [InlineData(DrmModifier.I915YfTiled, 1, 64, 64, 64)]
    [InlineData(DrmModifier.I915YfTiled, 2, 128, 32, 128)]
    [InlineData(DrmModifier.I915YfTiled, 4, 128, 32, 128)]
    public void TryGet_Geometry(ulong modifier, int bytesPerPixel, int widthBytes, int rows, int columnBytes)
    {
        Assert.True(TileLayout.TryGet(modifier, bytesPerPixel, out TileLayout tiles));
        Assert.Equal(modifier, tiles.Modifier);
        Assert.Equal(widthBytes, tiles.WidthBytes);
        Assert.Equal(rows, tiles.Rows);
        Assert.Equal(columnBytes, tiles.ColumnBytes);
        Assert.Equal(modifier == DrmModifier.Linear ? 1 : 4096, tiles.TileBytes);
    }

    [Fact]
    public void TryGet_UnknownModifier_IsFalse()
    {
        Assert.False(TileLayout.TryGet(DrmModifier.Invalid, 4, out _));
        Assert.False(TileLayout.TryGet((0x01UL << 56) | 4, 4, out _)); // I915_FORMAT_MOD_Y_TILED_CCS
        Assert.False(TileLayout.TryGet(0x02UL << 56, 4, out _));        // another vendor
    }

    [Fact]
    public void Yf_ByteOffset_IsRefused()
    {
        Assert.True(TileLayout.TryGet(DrmModifier.I915YfTiled, 4, out TileLayout tiles));
        Assert.False(tiles.CpuDetiles);
        var e = Assert.Throws<InvalidOperationException>(() => tiles.ByteOffset(512, 0, 0));
        Assert.Contains("I915_Yf_TILED", e.Message);
    }

    [Theory]
    // 1080 rows: 135 X tile rows exactly, 33.75 Y tile rows (34 whole).
    [InlineData(DrmModifier.Linear, 7680, 1080, 7680, (7680L * 1079) + 7680)]
    [InlineData(DrmModifier.Linear, 7700, 3, 7690, (7700L * 2) + 7690)]
    [InlineData(DrmModifier.I915XTiled, 7680, 1080, 7680, 7680L * 1080)]
    [InlineData(DrmModifier.I915XTiled, 4096, 9, 3840, 4096L * 16)]
    [InlineData(DrmModifier.I915YTiled, 7680, 1080, 7680, 7680L * 1088)]
    [InlineData(DrmModifier.I915YTiled, 128, 1, 4, 4096)]
    public void RequiredBytes_LinearToTheLastRowsEnd_TiledWholeRowsOfTiles(ulong modifier, long stride, long height, long rowBytes, long expected)
    {
        Assert.True(TileLayout.TryGet(modifier, 4, out TileLayout tiles));
        Assert.Equal(expected, tiles.RequiredBytes(stride, height, rowBytes));
    }

    [Theory]
    [InlineData(DrmModifier.Linear, 3, 3)]
    [InlineData(DrmModifier.I915XTiled, 3840, 4096)]
    [InlineData(DrmModifier.I915XTiled, 512, 512)]
    [InlineData(DrmModifier.I915YTiled, 129, 256)]
    [InlineData(DrmModifier.I915YTiled, 7680, 7680)]
    public void StrideFor_RoundsUpToWholeTiles(ulong modifier, long rowBytes, long expected)
    {
        Assert.True(TileLayout.TryGet(modifier, 4, out TileLayout tiles));
        Assert.Equal(expected, tiles.StrideFor(rowBytes));
    }

    [Fact]
    public void StrideProblem_NamesTheTileWidthAndModifier()
    {
        Assert.Null(TileLayout.I915X.StrideProblem(1024));
        Assert.Null(TileLayout.Linear.StrideProblem(1023));
        Assert.Equal("stride 1000 is not a multiple of the 512-byte tile width of I915_X_TILED", TileLayout.I915X.StrideProblem(1000));
        Assert.Equal("stride 200 is not a multiple of the 128-byte tile width of I915_Y_TILED", TileLayout.I915Y.StrideProblem(200));
    }

    [Fact]
    public void PaddedRows_RoundsUpToWholeTileRows()
    {
        Assert.Equal(1088, TileLayout.I915Y.PaddedRows(1080));
        Assert.Equal(1080, TileLayout.I915X.PaddedRows(1080));
        Assert.Equal(16, TileLayout.I915X.PaddedRows(9));
        Assert.Equal(5, TileLayout.Linear.PaddedRows(5));
    }
}
