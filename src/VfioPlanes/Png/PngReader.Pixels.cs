// PngReader's image data: inflating the rows, undoing their filters, and expanding every colour type and depth to RGBA8.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VgpuView.VfioPlanes.Png;

public static partial class PngReader
{
    private static PngImage Inflate(byte[] compressed, Header header, byte[]? palette, int paletteCount, Transparency key)
    {
        // IHDR limits the size to 16384 wide and 8192x8192 pixels: a row is at most 128 KiB of raw
        // data and the RGBA result at most 256 MiB, so both fit arrays. Only height rows of 1 + rowBytes are ever read
        // from the inflater, so a small file that inflates to far more costs no more than that.
        int rowBytes = (int)header.RowBytes;
        byte[] current = new byte[rowBytes + 1];
        byte[] previous = new byte[rowBytes + 1];
        byte[] rgba = new byte[(long)header.Width * header.Height * 4];
        int step = header.FilterStep;

        using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        for (int y = 0; y < header.Height; y++)
        {
            int got = ReadRow(zlib, current, y, header.Height);
            if (got < current.Length)
            {
                throw new InvalidDataException(
                    $"image data ends after {y} of {header.Height} rows{(got > 0 ? $" (and {got} of {current.Length} bytes of the next)" : "")}");
            }

            PngFilters.Unfilter(current, previous, step, y);
            Expand(current.AsSpan(1), rgba.AsSpan(y * header.Width * 4, header.Width * 4), header, palette, paletteCount, key, y);
            (current, previous) = (previous, current);
        }

        return new PngImage(header.Width, header.Height, rgba);
    }

    private static int ReadRow(ZLibStream zlib, byte[] row, int y, int height)
    {
        int got = 0;
        try
        {
            while (got < row.Length)
            {
                int n = zlib.Read(row, got, row.Length - got);
                if (n == 0)
                {
                    break;
                }

                got += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDAT: the zlib data is corrupt after {y} of {height} rows: {e.Message}", e);
        }

        return got;
    }

    /// <summary>PNG spec 9.2: undoes one row's filter in place; row[0] is the filter type, prior[0] is unused.</summary>
    private static void Expand(ReadOnlySpan<byte> raw, Span<byte> rgba, Header header, byte[]? palette, int paletteCount, Transparency key, int y)
    {
        int width = header.Width;
        int depth = header.BitDepth;
        switch (header.ColourType)
        {
            case Greyscale when depth < 8:
                {
                    // Sub-byte samples are packed from the high bits; scale 0..2^d-1 to 0..255 exactly.
                    int scale = depth switch { 1 => 255, 2 => 85, _ => 17 };
                    int mask = (1 << depth) - 1;
                    for (int x = 0; x < width; x++)
                    {
                        int sample = SubByteSample(raw, x, depth, mask);
                        byte v = (byte)(sample * scale);
                        Put(rgba, x, v, v, v, key.HasKey && sample == key.R ? (byte)0 : (byte)255);
                    }

                    break;
                }

            case Greyscale:
                for (int x = 0; x < width; x++)
                {
                    int sample = depth == 8 ? raw[x] : BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(x * 2));
                    byte v = raw[x * (depth / 8)];
                    Put(rgba, x, v, v, v, key.HasKey && sample == key.R ? (byte)0 : (byte)255);
                }

                break;

            case Truecolour:
                for (int x = 0; x < width; x++)
                {
                    int r, g, b;
                    int i;
                    if (depth == 8)
                    {
                        i = x * 3;
                        (r, g, b) = (raw[i], raw[i + 1], raw[i + 2]);
                    }
                    else
                    {
                        i = x * 6;
                        r = BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(i));
                        g = BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(i + 2));
                        b = BinaryPrimitives.ReadUInt16BigEndian(raw.Slice(i + 4));
                    }

                    bool clear = key.HasKey && r == key.R && g == key.G && b == key.B;
                    int shift = depth == 16 ? 8 : 0;
                    Put(rgba, x, (byte)(r >> shift), (byte)(g >> shift), (byte)(b >> shift), clear ? (byte)0 : (byte)255);
                }

                break;

            case Indexed:
                {
                    int mask = (1 << depth) - 1;
                    for (int x = 0; x < width; x++)
                    {
                        int index = depth == 8 ? raw[x] : SubByteSample(raw, x, depth, mask);
                        if (index >= paletteCount)
                        {
                            throw new InvalidDataException($"pixel ({x}, {y}) uses palette index {index}, but PLTE has only {paletteCount} entries");
                        }

                        palette.AsSpan(index * 4, 4).CopyTo(rgba.Slice(x * 4, 4));
                    }

                    break;
                }

            case GreyscaleAlpha:
                {
                    int bytes = depth / 8; // 16-bit: the high byte comes first
                    for (int x = 0; x < width; x++)
                    {
                        int i = x * 2 * bytes;
                        byte v = raw[i];
                        Put(rgba, x, v, v, v, raw[i + bytes]);
                    }

                    break;
                }

            default:
                {
                    int bytes = depth / 8;
                    for (int x = 0; x < width; x++)
                    {
                        int i = x * 4 * bytes;
                        Put(rgba, x, raw[i], raw[i + bytes], raw[i + (2 * bytes)], raw[i + (3 * bytes)]);
                    }

                    break;
                }
        }
    }

    private static int SubByteSample(ReadOnlySpan<byte> raw, int x, int depth, int mask)
    {
        int bit = x * depth;
        return (raw[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
    }

    private static void Put(Span<byte> rgba, int x, byte r, byte g, byte b, byte a)
    {
        int i = x * 4;
        rgba[i] = r;
        rgba[i + 1] = g;
        rgba[i + 2] = b;
        rgba[i + 3] = a;
    }
}
