using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VgpuView.VfioPlanes.Png;

/// <summary>An image decoded to RGBA8, rows packed (stride = Width * 4).</summary>
public sealed record PngImage(int Width, int Height, byte[] Rgba);

/// <summary>
/// Decodes PNG files (ISO/IEC 15948) given by a user, such as an expected picture to compare a
/// screen against: every colour type and bit depth, tRNS transparency, no interlace. 16-bit
/// samples keep their high byte. Anything malformed throws <see cref="InvalidDataException"/>
/// with a message naming the chunk or row and what was expected.
/// </summary>
public static class PngReader
{
    /// <summary>The largest width and height accepted; a larger IHDR is refused before any inflating.</summary>
    public const int MaxDimension = 16384;

    /// <summary>
    /// The most pixels decoded (8192x8192, or 16384x4096): the RGBA result is at most 256 MiB. A
    /// PNG of a flat picture compresses a thousandfold, so the file's size is no bound on this.
    /// </summary>
    public const long MaxPixels = 8192L * 8192;

    /// <summary>The largest PNG file read: a 4K screen of noise at zlib level 1 takes about 40 MiB, a real one far less.</summary>
    public const int MaxFileBytes = 128 << 20;

    // RFC 1951: a deflate stream cannot inflate to more than 1032 times its size (a stored run of
    // 258-byte matches costs at least 2 bits each), whatever zlib level wrote it.
    private const long MaxDeflateRatio = 1032;

    // PNG spec 5.2: the eight signature bytes.
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const int Greyscale = 0;
    private const int Truecolour = 2;
    private const int Indexed = 3;
    private const int GreyscaleAlpha = 4;
    private const int TruecolourAlpha = 6;

    /// <summary>Decodes a whole PNG file's bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a PNG this reader can decode; the message says why.</exception>
    public static PngImage Decode(ReadOnlySpan<byte> png)
    {
        Header header = default;
        bool haveHeader = false;
        bool haveIend = false;
        byte[]? palette = null;     // RGBA per entry
        int paletteCount = 0;
        bool haveTrns = false;
        ushort keyR = 0, keyG = 0, keyB = 0; // tRNS colour key for types 0 (grey in keyR) and 2
        var idat = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        bool idatEnded = false;     // a chunk other than IDAT came after the IDAT run

        if (png.Length < Signature.Length || !png.Slice(0, Signature.Length).SequenceEqual(Signature))
        {
            int n = Math.Min(png.Length, Signature.Length);
            string seen = n == 0 ? "empty" : string.Join(' ', Convert.ToHexString(png.Slice(0, n)).ToLowerInvariant().Chunk(2).Select(c => new string(c)));
            throw new InvalidDataException(
                $"not a PNG: the signature is {seen}{(n < Signature.Length ? $" ({png.Length} bytes)" : "")}, expected 89 50 4e 47 0d 0a 1a 0a");
        }

        int at = Signature.Length;
        while (!haveIend)
        {
            // PNG spec 5.3: length (4, big-endian, at most 2^31-1), type (4), data, CRC (4) over type and data.
            if (at >= png.Length)
            {
                throw new InvalidDataException($"the file ends after {png.Length} bytes without an IEND chunk (truncated?)");
            }

            if (png.Length - at < 8)
            {
                throw new InvalidDataException($"the file ends inside a chunk header at offset {at} (truncated?)");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at));
            ReadOnlySpan<byte> typeBytes = png.Slice(at + 4, 4);
            string type = ChunkName(typeBytes);
            if (!IsChunkType(typeBytes))
            {
                throw new InvalidDataException($"chunk at offset {at}: type {type} is not four ASCII letters");
            }

            if (length > int.MaxValue)
            {
                throw new InvalidDataException($"chunk {type} at offset {at}: length {length} is over the PNG limit of 2^31-1");
            }

            if (length + 12L > png.Length - at)
            {
                throw new InvalidDataException(
                    $"chunk {type} at offset {at}: its {length} bytes of data and CRC run past the end of the file ({png.Length} bytes; truncated?)");
            }

            ReadOnlySpan<byte> data = png.Slice(at + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(at + 8 + (int)length));
            uint computed = Interop.Zlib.Crc32(Interop.Zlib.Crc32(0, typeBytes), data);
            if (stored != computed)
            {
                throw new InvalidDataException($"chunk {type}: CRC 0x{stored:X8} does not match 0x{computed:X8} computed over its type and data (corrupt file?)");
            }

            if (!haveHeader && type != "IHDR")
            {
                throw new InvalidDataException($"the first chunk is {type}, but a PNG must start with IHDR");
            }

            if (idat.Count > 0 && type != "IDAT")
            {
                idatEnded = true;
            }

            switch (type)
            {
                case "IHDR":
                    if (haveHeader)
                    {
                        throw new InvalidDataException($"a second IHDR chunk at offset {at}");
                    }

                    header = ReadHeader(data);
                    haveHeader = true;
                    break;

                case "PLTE":
                    ReadPalette(data, header, idat.Count > 0, palette is not null, out palette, out paletteCount);
                    break;

                case "tRNS":
                    if (idat.Count > 0)
                    {
                        throw new InvalidDataException("tRNS comes after IDAT; it must come before the image data");
                    }

                    if (haveTrns)
                    {
                        throw new InvalidDataException("a second tRNS chunk");
                    }

                    ReadTransparency(data, header, palette, paletteCount, out keyR, out keyG, out keyB);
                    haveTrns = true;
                    break;

                case "IDAT":
                    if (idatEnded)
                    {
                        throw new InvalidDataException($"IDAT at offset {at} is separated from the IDAT chunks before it; they must be consecutive");
                    }

                    if (header.ColourType == Indexed && palette is null)
                    {
                        throw new InvalidDataException("colour type 3 (palette) needs a PLTE chunk before IDAT, and there is none");
                    }

                    idat.Add((at + 8, (int)length));
                    idatTotal += length;
                    break;

                case "IEND":
                    if (length != 0)
                    {
                        throw new InvalidDataException($"IEND has {length} bytes of data; it must be empty");
                    }

                    haveIend = true;
                    break;

                default:
                    // PNG spec 5.4: bit 5 of the first byte (lowercase) marks an ancillary chunk, safe to skip.
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw new InvalidDataException($"unknown critical chunk {type}: the image cannot be decoded without understanding it");
                    }

                    break;
            }

            at += 12 + (int)length;
        }

        if (idat.Count == 0)
        {
            throw new InvalidDataException("there is no IDAT chunk: the file has no image data");
        }

        // Before anything is allocated for the pixels: IDAT too small to inflate to the rows IHDR
        // declares, even at deflate's best ratio, would end early anyway, so a tiny file cannot
        // make the reader allocate the 1 GiB a 16384x16384 image takes.
        long needed = header.Height * (header.RowBytes + 1);
        if (needed > (idatTotal * MaxDeflateRatio) + 64)
        {
            throw new InvalidDataException(
                $"IDAT holds {idatTotal} compressed bytes, too few for the {needed} bytes of {header.Width}x{header.Height} rows (deflate inflates at most {MaxDeflateRatio}:1): the image data is cut short");
        }

        // The spec allows nothing after IEND; trailing bytes (a download's padding, say) are ignored.
        byte[] compressed = new byte[idatTotal];
        int filled = 0;
        foreach ((int offset, int len) in idat)
        {
            png.Slice(offset, len).CopyTo(compressed.AsSpan(filled));
            filled += len;
        }

        if (header.ColourType is not Indexed)
        {
            palette = null;
        }

        var transparency = new Transparency(haveTrns && header.ColourType is Greyscale or Truecolour, keyR, keyG, keyB);
        return Inflate(compressed, header, palette, paletteCount, transparency);
    }

    /// <summary>Reads and decodes a file of at most <see cref="MaxFileBytes"/> bytes, through <see cref="IO.BoundedFile"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a PNG this reader can decode; the message starts with the path.</exception>
    /// <exception cref="InputException">The file cannot be read, is not a file, is too large, or nothing came in time.</exception>
    public static PngImage ReadFile(string path) => ReadFileUnlessCancelled(path, "PNG file", CancellationToken.None, null);

    /// <summary>As <see cref="ReadFile(string)"/>, naming the file as <paramref name="what"/>; a wait for a FIFO's writer ends on <paramref name="cancel"/> or after <paramref name="timeout"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadFile(string)"/>.</exception>
    /// <exception cref="InputException">As <see cref="ReadFile(string)"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled while waiting.</exception>
    public static PngImage ReadFileUnlessCancelled(string path, string what, CancellationToken cancel, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = IO.BoundedFile.ReadAll(path, MaxFileBytes, what, cancel, timeout);
        try
        {
            return Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{IO.PrintableText.Of(path)}: {e.Message}", e);
        }
    }

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

            Unfilter(current, previous, step, y);
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
    private static void Unfilter(byte[] row, byte[] prior, int step, int y)
    {
        Span<byte> r = row.AsSpan(1);
        ReadOnlySpan<byte> up = prior.AsSpan(1);
        switch (row[0])
        {
            case 0:
                break;
            case 1:
                for (int i = step; i < r.Length; i++)
                {
                    r[i] += r[i - step];
                }

                break;
            case 2:
                for (int i = 0; i < r.Length; i++)
                {
                    r[i] += up[i];
                }

                break;
            case 3:
                for (int i = 0; i < r.Length; i++)
                {
                    int left = i >= step ? r[i - step] : 0;
                    r[i] += (byte)((left + up[i]) >> 1);
                }

                break;
            case 4:
                for (int i = 0; i < r.Length; i++)
                {
                    int a = i >= step ? r[i - step] : 0;
                    int c = i >= step ? up[i - step] : 0;
                    r[i] += (byte)PngWriter.Paeth(a, up[i], c);
                }

                break;
            default:
                throw new InvalidDataException($"row {y}: unknown filter type {row[0]}; PNG defines 0 to 4");
        }
    }

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

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (byte c in type)
        {
            if (c is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                return false;
            }
        }

        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> type) =>
        IsChunkType(type) ? Encoding.ASCII.GetString(type) : "0x" + Convert.ToHexString(type);
}
