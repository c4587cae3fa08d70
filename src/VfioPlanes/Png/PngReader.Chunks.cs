// PngReader's header and ancillary chunks: IHDR, PLTE and tRNS, each checked against the PNG spec.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VgpuView.VfioPlanes.Png;

public static partial class PngReader
{
    private readonly record struct Header(int Width, int Height, int BitDepth, int ColourType)
    {
        public int Channels => ColourType switch
        {
            Truecolour => 3,
            GreyscaleAlpha => 2,
            TruecolourAlpha => 4,
            _ => 1,
        };

        public int BitsPerPixel => Channels * BitDepth;

        // PNG spec 9.2: bpp is the bytes per complete pixel, rounded up to 1 for depths below 8.
        public int FilterStep => Math.Max(1, BitsPerPixel / 8);

        public long RowBytes => ((((long)Width * BitsPerPixel) + 7) / 8);
    }

    private readonly record struct Transparency(bool HasKey, ushort R, ushort G, ushort B);

    private static Header ReadHeader(ReadOnlySpan<byte> data)
    {
        // PNG spec 11.2.2: width, height (4 each), bit depth, colour type, compression, filter, interlace.
        if (data.Length != 13)
        {
            throw new InvalidDataException($"IHDR has {data.Length} bytes of data; it must have 13");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4));
        int depth = data[8];
        int colourType = data[9];
        if (width == 0 || height == 0)
        {
            throw new InvalidDataException($"IHDR: {width}x{height} has no pixels; width and height must be at least 1");
        }

        if (width > MaxDimension || height > MaxDimension)
        {
            throw new InvalidDataException($"IHDR: {width}x{height} is larger than {MaxDimension}x{MaxDimension}");
        }

        if ((long)width * height > MaxPixels)
        {
            throw new InvalidDataException($"IHDR: {width}x{height} is {(long)width * height} pixels, more than the {MaxPixels} (8192x8192) a picture may have");
        }

        bool depthValid = colourType switch
        {
            Greyscale => depth is 1 or 2 or 4 or 8 or 16,
            Indexed => depth is 1 or 2 or 4 or 8,
            Truecolour or GreyscaleAlpha or TruecolourAlpha => depth is 8 or 16,
            _ => throw new InvalidDataException($"IHDR: colour type {colourType} is not one of 0, 2, 3, 4, 6"),
        };
        if (!depthValid)
        {
            throw new InvalidDataException($"IHDR: bit depth {depth} is not valid for colour type {colourType}");
        }

        if (data[10] != 0)
        {
            throw new InvalidDataException($"IHDR: compression method {data[10]} is unknown; only 0 (deflate) exists");
        }

        if (data[11] != 0)
        {
            throw new InvalidDataException($"IHDR: filter method {data[11]} is unknown; only 0 (adaptive, five types) exists");
        }

        if (data[12] == 1)
        {
            throw new InvalidDataException("interlaced PNGs (Adam7) are not supported: save it without interlace");
        }

        if (data[12] != 0)
        {
            throw new InvalidDataException($"IHDR: interlace method {data[12]} is unknown; only 0 (none) and 1 (Adam7) exist");
        }

        return new Header((int)width, (int)height, depth, colourType);
    }

    private static void ReadPalette(ReadOnlySpan<byte> data, Header header, bool afterIdat, bool duplicate, out byte[]? palette, out int count)
    {
        // PNG spec 11.2.3: 1 to 256 RGB entries; required for type 3, a suggestion for 2 and 6, forbidden for 0 and 4.
        if (header.ColourType is Greyscale or GreyscaleAlpha)
        {
            throw new InvalidDataException($"PLTE is not allowed for colour type {header.ColourType} (greyscale)");
        }

        if (duplicate)
        {
            throw new InvalidDataException("a second PLTE chunk");
        }

        if (afterIdat)
        {
            throw new InvalidDataException("PLTE comes after IDAT; it must come before the image data");
        }

        if (data.Length == 0 || data.Length % 3 != 0 || data.Length > 256 * 3)
        {
            throw new InvalidDataException($"PLTE has {data.Length} bytes; it must hold 1 to 256 entries of 3 bytes");
        }

        count = data.Length / 3;
        if (header.ColourType == Indexed && count > 1 << header.BitDepth)
        {
            throw new InvalidDataException($"PLTE has {count} entries, more than bit depth {header.BitDepth} can index ({1 << header.BitDepth})");
        }

        palette = new byte[count * 4];
        for (int i = 0; i < count; i++)
        {
            palette[i * 4] = data[i * 3];
            palette[(i * 4) + 1] = data[(i * 3) + 1];
            palette[(i * 4) + 2] = data[(i * 3) + 2];
            palette[(i * 4) + 3] = 255;
        }
    }

    private static void ReadTransparency(ReadOnlySpan<byte> data, Header header, byte[]? palette, int paletteCount, out ushort r, out ushort g, out ushort b)
    {
        // PNG spec 11.3.2.1: a grey or RGB colour key (16-bit samples) for types 0 and 2; an alpha per
        // palette entry for type 3 (entries past the chunk stay opaque); forbidden where alpha is stored.
        r = g = b = 0;
        switch (header.ColourType)
        {
            case Greyscale:
                if (data.Length != 2)
                {
                    throw new InvalidDataException($"tRNS for colour type 0 has {data.Length} bytes; it must have 2 (a grey key)");
                }

                r = BinaryPrimitives.ReadUInt16BigEndian(data);
                break;

            case Truecolour:
                if (data.Length != 6)
                {
                    throw new InvalidDataException($"tRNS for colour type 2 has {data.Length} bytes; it must have 6 (an RGB key)");
                }

                r = BinaryPrimitives.ReadUInt16BigEndian(data);
                g = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2));
                b = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4));
                break;

            case Indexed:
                if (palette is null)
                {
                    throw new InvalidDataException("tRNS comes before PLTE; for colour type 3 it must follow it");
                }

                if (data.Length > paletteCount)
                {
                    throw new InvalidDataException($"tRNS has {data.Length} alpha values but PLTE has only {paletteCount} entries");
                }

                for (int i = 0; i < data.Length; i++)
                {
                    palette[(i * 4) + 3] = data[i];
                }

                break;

            default:
                throw new InvalidDataException($"tRNS is not allowed for colour type {header.ColourType}, which stores alpha itself");
        }
    }
}
