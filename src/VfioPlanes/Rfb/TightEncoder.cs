// The Tight encoding (rfbproto 7.7.7), without JPEG: fill, palette and copy filters over four zlib streams.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// Tight, "basic" compression. A rectangle of one colour is a fill; of two colours, a 1-bit
/// palette image on stream 1; of up to 256 colours (when that is smaller), an 8-bit palette
/// image on stream 2; otherwise the copy filter on stream 0. Pixels are TPIXELs: R, G, B bytes
/// for 32-bit formats of depth 24 with 8-bit channels, else whole pixels. Data under 12 bytes
/// goes uncompressed; longer data is its compact length (1-3 bytes, 7 bits each) and the
/// stream's flushed output. The streams live for the connection and are never reset, so the
/// control byte's reset bits stay 0 and the client's inflaters carry on from one rectangle to
/// the next.
/// </summary>
public sealed class TightEncoder(int level = 1) : IRfbEncoder, IDisposable
{
    private const int MinToCompress = 12;
    private const byte Fill = 0x80;
    private const byte ExplicitFilter = 0x40;
    private const byte PaletteFilter = 1;
    private readonly ZlibChannel?[] _streams = new ZlibChannel?[4];
    private readonly ColourTable _colours = new();
    private readonly RfbWriter _data = new(64 * 1024);

    public int Encoding => RfbEncoding.Tight;

    /// <summary>TightVNC's limits, which decoders may assume: 2048 pixels wide, 64 KiB of data before compression.</summary>
    public int MaxWidth => 2048;

    public int MaxPixels => 16384;

    /// <summary>Whether <paramref name="format"/> sends 3-byte TPIXELs.</summary>
    public static bool PacksRgb(in RfbPixelFormat f) =>
        f.BitsPerPixel == 32 && f.Depth == 24 && f.RedMax == 255 && f.GreenMax == 255 && f.BlueMax == 255;

    public void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format)
    {
        bool fewColours = _colours.Build(values, width, 0, 0, width, height, 256);
        int n = fewColours ? _colours.Count : int.MaxValue;
        if (n == 1)
        {
            w.U8(Fill);
            TPixel(w, format, values[0]);
            return;
        }

        int tpixel = PacksRgb(format) ? 3 : format.BytesPerPixel;
        _data.Clear();
        int stream;
        if (n <= 256 && (n == 2 || (long)width * height * tpixel > (long)width * height + (n * tpixel)))
        {
            stream = n == 2 ? 1 : 2;
            w.U8((byte)((stream << 4) | ExplicitFilter));
            w.U8(PaletteFilter);
            w.U8((byte)(n - 1));
            foreach (uint p in _colours.Palette)
            {
                TPixel(w, format, p);
            }

            if (n == 2)
            {
                // One bit per pixel, rows padded to a byte, the most significant bit first.
                uint second = _colours.Palette[1];
                for (int y = 0; y < height; y++)
                {
                    ReadOnlySpan<uint> row = values.Slice(y * width, width);
                    for (int x = 0; x < width; x += 8)
                    {
                        int bits = 0;
                        for (int b = 0; b < 8; b++)
                        {
                            bits = (bits << 1) | (x + b < width && row[x + b] == second ? 1 : 0);
                        }

                        _data.U8((byte)bits);
                    }
                }
            }
            else
            {
                Span<byte> indices = _data.GetSpan(values.Length);
                for (int i = 0; i < values.Length; i++)
                {
                    indices[i] = (byte)_colours.IndexOf(values[i]);
                }

                _data.Advance(values.Length);
            }
        }
        else
        {
            stream = 0;
            w.U8(0); // stream 0, copy filter implied
            for (int i = 0; i < values.Length; i++)
            {
                TPixel(_data, format, values[i]);
            }
        }

        if (_data.Length < MinToCompress)
        {
            w.Bytes(_data.Written);
            return;
        }

        ZlibChannel channel = _streams[stream] ??= new ZlibChannel(level);
        channel.Write(_data.Written);
        ReadOnlySpan<byte> compressed = channel.Flush();
        CompactLength(w, compressed.Length);
        w.Bytes(compressed);
    }

    /// <summary>rfbproto 7.7.7: 7 bits per byte, least significant first, the top bit saying another byte follows; at most 3 bytes.</summary>
    public static void CompactLength(RfbWriter w, int length)
    {
        if (length > 0x3FFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "Tight lengths stop at 4 MiB");
        }

        if (length < 0x80)
        {
            w.U8((byte)length);
        }
        else if (length < 0x4000)
        {
            w.U8((byte)(0x80 | (length & 0x7F)));
            w.U8((byte)(length >> 7));
        }
        else
        {
            w.U8((byte)(0x80 | (length & 0x7F)));
            w.U8((byte)(0x80 | ((length >> 7) & 0x7F)));
            w.U8((byte)(length >> 14));
        }
    }

    private static void TPixel(RfbWriter w, in RfbPixelFormat f, uint value)
    {
        if (!PacksRgb(f))
        {
            f.WritePixel(w, value);
            return;
        }

        w.U8((byte)(value >> f.RedShift));
        w.U8((byte)(value >> f.GreenShift));
        w.U8((byte)(value >> f.BlueShift));
    }

    public void Dispose()
    {
        foreach (ZlibChannel? stream in _streams)
        {
            stream?.Dispose();
        }
    }
}
