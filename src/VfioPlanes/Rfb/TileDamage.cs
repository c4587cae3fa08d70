// Which 64x64 tiles of two RGBA images differ: the damage an update sends.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// Compares two images of the same size tile by tile. Each tile row is compared with
/// <see cref="MemoryExtensions.SequenceEqual{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>, which is
/// vectorised, and a tile stops at its first differing row.
/// </summary>
public static class TileDamage
{
    public const int TileSize = 64;

    public static int TilesAcross(int width) => (width + TileSize - 1) / TileSize;

    public static int TilesDown(int height) => (height + TileSize - 1) / TileSize;

    /// <summary>
    /// Sets <paramref name="changed"/>[ty * tilesAcross + tx] for each tile where <paramref name="a"/>
    /// and <paramref name="b"/> differ; returns how many did.
    /// </summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int height, int stride, Span<bool> changed)
    {
        int across = TilesAcross(width);
        int down = TilesDown(height);
        int count = 0;
        for (int ty = 0; ty < down; ty++)
        {
            int y0 = ty * TileSize;
            int y1 = Math.Min(height, y0 + TileSize);
            for (int tx = 0; tx < across; tx++)
            {
                int x0 = tx * TileSize * 4;
                int bytes = (Math.Min(width, (tx + 1) * TileSize) * 4) - x0;
                bool differs = false;
                for (int y = y0; y < y1 && !differs; y++)
                {
                    int offset = (y * stride) + x0;
                    differs = !a.Slice(offset, bytes).SequenceEqual(b.Slice(offset, bytes));
                }

                changed[(ty * across) + tx] = differs;
                count += differs ? 1 : 0;
            }
        }

        return count;
    }
}
