// The frame loop's tile bookkeeping: which tiles a cursor covers, copying tiles between pooled frames.
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

internal sealed partial class FrameLoop
{
    private static void MarkCursor(ScreenFrame target, ScreenFrame from, long version)
    {
        if (!from.CursorShown || from.CursorWidth == 0)
        {
            return;
        }

        int x0 = Math.Max(0, from.CursorX), y0 = Math.Max(0, from.CursorY);
        int x1 = Math.Min(target.Width, from.CursorX + from.CursorWidth), y1 = Math.Min(target.Height, from.CursorY + from.CursorHeight);
        if (x0 >= x1 || y0 >= y1)
        {
            return;
        }

        for (int ty = y0 / TileDamage.TileSize; ty <= (y1 - 1) / TileDamage.TileSize; ty++)
        {
            for (int tx = x0 / TileDamage.TileSize; tx <= (x1 - 1) / TileDamage.TileSize; tx++)
            {
                target.ComposedTileVersion[(ty * target.TilesAcross) + tx] = version;
            }
        }
    }

    private static void CopyTiles(ScreenFrame from, ScreenFrame to, long[] versions, long since, int tiles)
    {
        for (int t = 0; t < tiles; t++)
        {
            if (versions[t] > since)
            {
                CopyTile(from.Rgba, to.Rgba, to, t);
            }
        }
    }

    private static void CopyTile(ReadOnlySpan<byte> from, Span<byte> to, ScreenFrame shape, int tile)
    {
        int tx = tile % shape.TilesAcross, ty = tile / shape.TilesAcross;
        int x0 = tx * TileDamage.TileSize, y0 = ty * TileDamage.TileSize;
        int bytes = (Math.Min(shape.Width, x0 + TileDamage.TileSize) - x0) * 4;
        int y1 = Math.Min(shape.Height, y0 + TileDamage.TileSize);
        for (int y = y0; y < y1; y++)
        {
            int offset = (y * shape.Stride) + (x0 * 4);
            from.Slice(offset, bytes).CopyTo(to.Slice(offset, bytes));
        }
    }
}
