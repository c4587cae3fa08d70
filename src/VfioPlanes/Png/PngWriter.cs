using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.Intrinsics;
using System.Text;

namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// Writes RGBA8 images as PNG: colour type 2 (RGB8) when every alpha is 255, else 6 (RGBA8);
/// 8 bits per sample, no interlace. The image data is filtered and compressed in pieces on all
/// cores (<see cref="PngDeflater"/>), one piece for a small image. An instance keeps its buffers
/// between images, so a series of same-sized captures allocates no image memory after the first;
/// it is not thread-safe.
/// </summary>
public sealed class PngWriter
{
    // PNG spec 5.2: the eight signature bytes.
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Ihdr => "IHDR"u8;

    private static ReadOnlySpan<byte> Text => "tEXt"u8;

    private static ReadOnlySpan<byte> InternationalText => "iTXt"u8;

    private static ReadOnlySpan<byte> Iend => "IEND"u8;

    private readonly IdatStream _idat = new();
    private readonly PngDeflater _deflater = new();
    private readonly Crc32 _crc = new();

    // The image as PNG rows (RGB or RGBA, packed), which the pieces filter and compress in parallel.
    private byte[] _image = [];
    private byte[] _chunk = new byte[256];

    /// <summary>
    /// Encodes <paramref name="height"/> rows of <paramref name="width"/> RGBA pixels, each row
    /// <paramref name="stride"/> bytes after the previous, into <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A size, stride, buffer or option is invalid; nothing has been written then.</exception>
    public void Write(Stream output, ReadOnlySpan<byte> rgba, int width, int height, int stride, PngOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        Validate(rgba, width, height, stride, options);

        bool opaque = IsOpaque(rgba, width, height, stride);
        int channels = opaque ? 3 : 4;
        int rowBytes = width * channels;
        PackImage(rgba, width, height, stride, opaque);

        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.Slice(4), height);
        ihdr[8] = 8;                          // bit depth
        ihdr[9] = opaque ? (byte)2 : (byte)6; // colour type: truecolour, or truecolour with alpha
        ihdr[10] = 0;                         // compression method: deflate
        ihdr[11] = 0;                         // filter method: adaptive, five types
        ihdr[12] = 0;                         // no interlace
        WriteChunk(output, _crc, Ihdr, ihdr);

        foreach ((string keyword, string text) in options.Text)
        {
            WriteTextChunk(output, keyword, text);
        }

        _idat.Start(output);
        _deflater.Compress(_image, rowBytes, height, channels, options, _idat, Pieces);
        _idat.Finish();
        WriteChunk(output, _crc, Iend, []);
    }

    /// <summary>How many pieces the image data is compressed in; 0 (the default) chooses by size and core count.</summary>
    internal int Pieces { get; init; }

    private static void Validate(ReadOnlySpan<byte> rgba, int width, int height, int stride, PngOptions options)
    {
        // The raw rows are arrays: a row of width * 4 bytes plus slack must fit an array.
        if (width is <= 0 or > (int.MaxValue / 4) - 64)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "PNG width must be positive and fit a row buffer");
        }

        if (height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "PNG height must be positive");
        }

        if (stride < width * 4)
        {
            throw new ArgumentException($"stride {stride} is below {width} RGBA pixels ({width * 4} bytes)", nameof(stride));
        }

        long needed = ((long)stride * (height - 1)) + (width * 4L);
        if (rgba.Length < needed)
        {
            throw new ArgumentException($"rgba holds {rgba.Length} bytes but {width}x{height} with stride {stride} needs {needed}", nameof(rgba));
        }

        if (options.CompressionLevel is < 0 or > 9)
        {
            throw new ArgumentException($"compression level {options.CompressionLevel} is outside 0..9", nameof(options));
        }

        if (options.Filter is < PngFilter.None or > PngFilter.Adaptive)
        {
            throw new ArgumentException($"unknown PNG filter {options.Filter}", nameof(options));
        }

        foreach ((string keyword, string text) in options.Text)
        {
            ValidateText(keyword, text);
        }
    }

    /// <summary>PNG spec 11.3.4.2: keyword 1-79 Latin-1 printable characters, no leading, trailing or consecutive spaces.</summary>
    internal static void ValidateText(string keyword, string text)
    {
        if (keyword is null || keyword.Length is < 1 or > 79)
        {
            throw new ArgumentException($"PNG text keyword '{keyword}' must be 1 to 79 characters", "options.Text");
        }

        for (int i = 0; i < keyword.Length; i++)
        {
            char c = keyword[i];
            if (c is not ((>= ' ' and <= '~') or (>= '\u00A1' and <= '\u00FF')))
            {
                throw new ArgumentException(
                    $"PNG text keyword '{keyword}' has character U+{(int)c:X4} at {i}; only printable Latin-1 is allowed", "options.Text");
            }

            if (c == ' ' && (i == 0 || i == keyword.Length - 1 || keyword[i - 1] == ' '))
            {
                throw new ArgumentException($"PNG text keyword '{keyword}' has a leading, trailing or doubled space", "options.Text");
            }
        }

        if (text is null || text.Contains('\0'))
        {
            throw new ArgumentException($"PNG text for '{keyword}' is null or contains NUL", "options.Text");
        }
    }

    private static bool IsOpaque(ReadOnlySpan<byte> rgba, int width, int height, int stride)
    {
        // Every byte but the alpha bytes set to ones: a row is opaque when OR-ing leaves all ones.
        Vector256<byte> notAlpha = Vector256.Create(0x00FFFFFFu).AsByte();
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = rgba.Slice(y * stride, width * 4);
            int i = 0;
            for (; i <= row.Length - 32; i += 32)
            {
                if (!Vector256.EqualsAll(Vector256.Create<byte>(row.Slice(i, 32)) | notAlpha, Vector256<byte>.AllBitsSet))
                {
                    return false;
                }
            }

            for (i += 3; i < row.Length; i += 4)
            {
                if (row[i] != 255)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The rows as PNG stores them before filtering: RGB for an opaque image, else RGBA, packed.</summary>
    private void PackImage(ReadOnlySpan<byte> rgba, int width, int height, int stride, bool opaque)
    {
        int rowBytes = width * (opaque ? 3 : 4);

        // 16 bytes of slack: PackRgb stores 16 bytes for every 12 it produces.
        long needed = ((long)rowBytes * height) + 16;
        if (needed > Array.MaxLength)
        {
            throw new ArgumentException($"a {width}x{height} image is beyond what one PNG buffer holds", nameof(rgba));
        }

        if (_image.Length < needed)
        {
            _image = GC.AllocateUninitializedArray<byte>((int)needed);
        }

        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = rgba.Slice(y * stride, width * 4);
            if (opaque)
            {
                PackRgb(src, _image.AsSpan(y * rowBytes, rowBytes + 16), width);
            }
            else
            {
                src.CopyTo(_image.AsSpan(y * rowBytes));
            }
        }
    }

    /// <summary>RGBA to RGB; <paramref name="dst"/> has 16 bytes of slack past the row.</summary>
    internal static void PackRgb(ReadOnlySpan<byte> src, Span<byte> dst, int width)
    {
        Vector128<byte> drop = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
        int i = 0;
        int j = 0;
        for (; i <= src.Length - 16; i += 16, j += 12)
        {
            Vector128.Shuffle(Vector128.Create<byte>(src.Slice(i, 16)), drop).CopyTo(dst.Slice(j, 16));
        }

        for (; i < width * 4; i += 4, j += 3)
        {
            dst[j] = src[i];
            dst[j + 1] = src[i + 1];
            dst[j + 2] = src[i + 2];
        }
    }

    private void WriteTextChunk(Stream output, string keyword, string text)
    {
        bool latin1 = true;
        foreach (char c in text)
        {
            if (c > '\u00FF')
            {
                latin1 = false;
                break;
            }
        }

        // tEXt (11.3.4.3): keyword, NUL, Latin-1 text. iTXt (11.3.4.5): keyword, NUL, compression
        // flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, UTF-8 text.
        Encoding encoding = latin1 ? Encoding.Latin1 : Encoding.UTF8;
        int header = keyword.Length + (latin1 ? 1 : 5);
        int length = header + encoding.GetByteCount(text);
        if (_chunk.Length < length)
        {
            _chunk = new byte[length];
        }

        Span<byte> data = _chunk.AsSpan(0, length);
        Encoding.Latin1.GetBytes(keyword, data);
        data.Slice(keyword.Length, header - keyword.Length).Clear();
        encoding.GetBytes(text, data.Slice(header));
        WriteChunk(output, _crc, latin1 ? Text : InternationalText, data);
    }

    /// <summary>PNG spec 5.3: length (big-endian), type, data, CRC-32 of type and data (<paramref name="crc"/> is reset and reused).</summary>
    private static void WriteChunk(Stream output, Crc32 crc, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        crc.Reset();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>Takes the zlib stream and cuts it into IDAT chunks of up to 256 KiB on the output.</summary>
    private sealed class IdatStream : Stream
    {
        private const int ChunkData = 256 * 1024;
        private readonly byte[] _buffer = new byte[ChunkData];
        private readonly Crc32 _crc = new();
        private int _used;
        private Stream? _output;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Start(Stream output)
        {
            _output = output;
            _used = 0;
        }

        public void Finish()
        {
            Emit();
            _output = null;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                int n = Math.Min(data.Length, ChunkData - _used);
                data.Slice(0, n).CopyTo(_buffer.AsSpan(_used));
                _used += n;
                data = data.Slice(n);
                if (_used == ChunkData)
                {
                    Emit();
                }
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void Emit()
        {
            if (_used > 0)
            {
                WriteChunk(_output ?? throw new InvalidOperationException("IDAT stream used outside Write"), _crc, "IDAT"u8, _buffer.AsSpan(0, _used));
                _used = 0;
            }
        }
    }
}
