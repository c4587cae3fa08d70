// The Hextile encoding (rfbproto 7.7.4): 16x16 tiles, each solid, two-coloured with subrects, or raw.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// Hextile: a tile of one colour is its background (sent only when it differs from the previous
/// tile's); a tile of two colours is background, foreground and the foreground's runs per row as
/// subrectangles; a tile of more colours is sent coloured-subrect style when that is smaller
/// than raw, else raw. After a raw tile the background is undefined, so the next tile states it.
/// </summary>
public sealed class HextileEncoder : IRfbEncoder
{
    private const byte RawBit = 1;
    private const byte BackgroundSpecified = 2;
    private const byte ForegroundSpecified = 4;
    private const byte AnySubrects = 8;
    private const byte SubrectsColoured = 16;

    public int Encoding => RfbEncoding.Hextile;

    public int MaxWidth => int.MaxValue;

    public int MaxPixels => int.MaxValue;

    public void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format)
    {
        bool backgroundValid = false, foregroundValid = false;
        uint background = 0, foreground = 0;
        int bpp = format.BytesPerPixel;
        for (int ty = 0; ty < height; ty += 16)
        {
            int th = Math.Min(16, height - ty);
            for (int tx = 0; tx < width; tx += 16)
            {
                int tw = Math.Min(16, width - tx);
                uint bg = values[(ty * width) + tx];
                uint fg = bg;
                bool two = true, one = true;
                for (int y = 0; y < th && two; y++)
                {
                    ReadOnlySpan<uint> row = values.Slice(((ty + y) * width) + tx, tw);
                    foreach (uint p in row)
                    {
                        if (p == bg)
                        {
                            continue;
                        }

                        if (one)
                        {
                            one = false;
                            fg = p;
                        }
                        else if (p != fg)
                        {
                            two = false;
                            break;
                        }
                    }
                }

                if (one)
                {
                    if (!backgroundValid || bg != background)
                    {
                        w.U8(BackgroundSpecified);
                        format.WritePixel(w, bg);
                        background = bg;
                        backgroundValid = true;
                    }
                    else
                    {
                        w.U8(0);
                    }

                    continue;
                }

                int maskAt = w.Length;
                w.U8(0);
                byte mask = AnySubrects;
                if (!backgroundValid || bg != background)
                {
                    mask |= BackgroundSpecified;
                    format.WritePixel(w, bg);
                }

                if (two && (!foregroundValid || fg != foreground))
                {
                    mask |= ForegroundSpecified;
                    format.WritePixel(w, fg);
                }

                mask |= two ? (byte)0 : SubrectsColoured;
                int countAt = w.Length;
                w.U8(0);
                int budget = tw * th * bpp;
                int count = Subrects(w, values, width, tx, ty, tw, th, bg, two, format, countAt + 1 + budget);
                if (count < 0)
                {
                    // Raw is smaller: rewrite the tile.
                    w.Advance(maskAt - w.Length);
                    w.U8(RawBit);
                    for (int y = 0; y < th; y++)
                    {
                        RawEncoder.Encode(w, values.Slice(((ty + y) * width) + tx, tw), format);
                    }

                    backgroundValid = foregroundValid = false;
                    continue;
                }

                w.PatchU8(maskAt, mask);
                w.PatchU8(countAt, (byte)count);
                background = bg;
                backgroundValid = true;
                if (two)
                {
                    foreground = fg;
                    foregroundValid = true;
                }
                else
                {
                    // A coloured subrect leaves the foreground as its last colour (rfbproto 7.7.4).
                    foregroundValid = false;
                }
            }
        }
    }

    // Horizontal runs of non-background pixels, per row; -1 once they would outgrow raw.
    private static int Subrects(RfbWriter w, ReadOnlySpan<uint> values, int width, int tx, int ty, int tw, int th, uint bg, bool two, in RfbPixelFormat format, int limit)
    {
        int count = 0;
        for (int y = 0; y < th; y++)
        {
            ReadOnlySpan<uint> row = values.Slice(((ty + y) * width) + tx, tw);
            int x = 0;
            while (x < tw)
            {
                if (row[x] == bg)
                {
                    x++;
                    continue;
                }

                uint colour = row[x];
                int end = x + 1;
                while (end < tw && row[end] == colour)
                {
                    end++;
                }

                if (!two)
                {
                    format.WritePixel(w, colour);
                }

                w.U8((byte)((x << 4) | y));
                w.U8((byte)(((end - x - 1) << 4) | 0));
                count++;
                if (w.Length >= limit || count > 255)
                {
                    return -1;
                }

                x = end;
            }
        }

        return count;
    }
}
