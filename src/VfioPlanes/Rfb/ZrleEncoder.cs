// The ZRLE encoding (rfbproto 7.7.6): 64x64 tiles, each solid, packed-palette, RLE or raw, one zlib stream per connection.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// ZRLE. Each tile takes the smallest of: solid; packed palette (2-16 colours, 1, 2 or 4 bits
/// per pixel, rows padded to a byte); palette RLE (up to 127 colours); plain RLE; raw. Pixels are
/// CPIXELs: three bytes when a 32-bit true-colour format of depth 24 or less fits in the three
/// least or most significant bytes, else whole pixels. The tiles go through the connection's
/// one zlib stream; the rectangle is a u32 length and the flushed bytes.
/// </summary>
public sealed class ZrleEncoder(int level = 1) : IRfbEncoder, IDisposable
{
    private const int Tile = 64;
    private readonly ZlibChannel _zlib = new(level);
    private readonly ColourTable _colours = new();
    private readonly RfbWriter _tiles = new(Tile * Tile * 4 + 1024);

    public int Encoding => RfbEncoding.Zrle;

    public int MaxWidth => int.MaxValue;

    public int MaxPixels => int.MaxValue;

    /// <summary>The bytes of a CPIXEL in <paramref name="format"/>.</summary>
    public static int CPixelBytes(in RfbPixelFormat format) => CPixelShift(format) >= 0 ? 3 : format.BytesPerPixel;

    // The shift that takes a pixel to its 3-byte CPIXEL (0: the low three bytes, 8: the high three), or -1.
    private static int CPixelShift(in RfbPixelFormat f)
    {
        if (f.BitsPerPixel != 32 || f.Depth > 24 || !f.TrueColour)
        {
            return -1;
        }

        uint used = ((uint)f.RedMax << f.RedShift) | ((uint)f.GreenMax << f.GreenShift) | ((uint)f.BlueMax << f.BlueShift);
        return (used & 0xFF000000) == 0 ? 0 : (used & 0xFF) == 0 ? 8 : -1;
    }

    public void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format)
    {
        int shift = CPixelShift(format);
        int cbytes = shift >= 0 ? 3 : format.BytesPerPixel;
        for (int ty = 0; ty < height; ty += Tile)
        {
            int th = Math.Min(Tile, height - ty);
            for (int tx = 0; tx < width; tx += Tile)
            {
                int tw = Math.Min(Tile, width - tx);
                _tiles.Clear();
                EncodeTile(values, width, tx, ty, tw, th, format, shift, cbytes);
                _zlib.Write(_tiles.Written);
            }
        }

        ReadOnlySpan<byte> compressed = _zlib.Flush();
        w.U32((uint)compressed.Length);
        w.Bytes(compressed);
    }

    private void EncodeTile(ReadOnlySpan<uint> values, int stride, int tx, int ty, int tw, int th, in RfbPixelFormat format, int shift, int cbytes)
    {
        bool palette = _colours.Build(values, stride, tx, ty, tw, th, 127);
        int n = palette ? _colours.Count : int.MaxValue;
        if (n == 1)
        {
            _tiles.U8(1);
            CPixel(format, shift, _colours.Palette[0]);
            return;
        }

        // Runs, counted once for both RLE sizes.
        int runs = 0, runBytes = 0;
        uint current = values[(ty * stride) + tx];
        int length = 0;
        for (int y = 0; y < th; y++)
        {
            foreach (uint p in values.Slice(((ty + y) * stride) + tx, tw))
            {
                if (p == current)
                {
                    length++;
                    continue;
                }

                runs++;
                runBytes += RunLengthBytes(length);
                current = p;
                length = 1;
            }
        }

        runs++;
        runBytes += RunLengthBytes(length);
        long raw = 1 + ((long)tw * th * cbytes);
        long plain = 1 + ((long)runs * cbytes) + runBytes;
        long packed = n <= 16 ? 1 + ((long)n * cbytes) + ((long)th * ((tw * BitsFor(n)) + 7) / 8) : long.MaxValue;
        // Palette RLE: a run of one is a bare index, a longer one an index and its length.
        long paletteRle = n <= 127 ? 1 + ((long)n * cbytes) + runs + runBytes : long.MaxValue;
        long best = Math.Min(Math.Min(raw, plain), Math.Min(packed, paletteRle));
        if (best == packed)
        {
            _tiles.U8((byte)n);
            WritePalette(format, shift);
            int bits = BitsFor(n);
            for (int y = 0; y < th; y++)
            {
                int acc = 0, filled = 0;
                foreach (uint p in values.Slice(((ty + y) * stride) + tx, tw))
                {
                    acc = (acc << bits) | _colours.IndexOf(p);
                    filled += bits;
                    if (filled == 8)
                    {
                        _tiles.U8((byte)acc);
                        acc = filled = 0;
                    }
                }

                if (filled > 0)
                {
                    _tiles.U8((byte)(acc << (8 - filled)));
                }
            }
        }
        else if (best == paletteRle)
        {
            _tiles.U8((byte)(128 + n));
            WritePalette(format, shift);
            WriteRuns(values, stride, tx, ty, tw, th, format, shift, usePalette: true);
        }
        else if (best == plain)
        {
            _tiles.U8(128);
            WriteRuns(values, stride, tx, ty, tw, th, format, shift, usePalette: false);
        }
        else
        {
            _tiles.U8(0);
            for (int y = 0; y < th; y++)
            {
                foreach (uint p in values.Slice(((ty + y) * stride) + tx, tw))
                {
                    CPixel(format, shift, p);
                }
            }
        }
    }

    private void WriteRuns(ReadOnlySpan<uint> values, int stride, int tx, int ty, int tw, int th, in RfbPixelFormat format, int shift, bool usePalette)
    {
        uint current = values[(ty * stride) + tx];
        int length = 0;
        for (int y = 0; y < th; y++)
        {
            foreach (uint p in values.Slice(((ty + y) * stride) + tx, tw))
            {
                if (p == current)
                {
                    length++;
                    continue;
                }

                Run(current, length, format, shift, usePalette);
                current = p;
                length = 1;
            }
        }

        Run(current, length, format, shift, usePalette);
    }

    private void Run(uint value, int length, in RfbPixelFormat format, int shift, bool usePalette)
    {
        if (usePalette)
        {
            int index = _colours.IndexOf(value);
            if (length == 1)
            {
                _tiles.U8((byte)index);
                return;
            }

            _tiles.U8((byte)(index | 128));
        }
        else
        {
            CPixel(format, shift, value);
        }

        // Length - 1 as bytes of 255 and a last byte below 255.
        int rest = length - 1;
        while (rest >= 255)
        {
            _tiles.U8(255);
            rest -= 255;
        }

        _tiles.U8((byte)rest);
    }

    private static int RunLengthBytes(int length) => ((length - 1) / 255) + 1;

    private static int BitsFor(int n) => n <= 2 ? 1 : n <= 4 ? 2 : 4;

    private void WritePalette(in RfbPixelFormat format, int shift)
    {
        foreach (uint p in _colours.Palette)
        {
            CPixel(format, shift, p);
        }
    }

    private void CPixel(in RfbPixelFormat format, int shift, uint value)
    {
        if (shift < 0)
        {
            format.WritePixel(_tiles, value);
            return;
        }

        // The three bytes that carry colour, in the pixel's own byte order.
        uint v = value >> shift;
        Span<byte> b = _tiles.GetSpan(3);
        if (format.BigEndian)
        {
            b[0] = (byte)(v >> 16);
            b[1] = (byte)(v >> 8);
            b[2] = (byte)v;
        }
        else
        {
            b[0] = (byte)v;
            b[1] = (byte)(v >> 8);
            b[2] = (byte)(v >> 16);
        }

        _tiles.Advance(3);
    }

    public void Dispose() => _zlib.Dispose();
}
