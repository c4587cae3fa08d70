// PngReader: the chunk walk of a PNG file, its limits, and reading one from a path.
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
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
public static partial class PngReader
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
            // The CRC covers the type and the data, which lie next to each other in the file.
            uint computed = Crc32.HashToUInt32(png.Slice(at + 4, 4 + (int)length));
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
