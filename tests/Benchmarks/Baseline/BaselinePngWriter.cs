// The PNG writer as it was before the image data was compressed in pieces on all cores: one
// zlib stream on one thread, rows packed and filtered one at a time. Benchmarks only, as the
// "before" beside the current writer; trimmed to the image path (no text chunks, no checks).
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.Intrinsics;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Benchmarks.Baseline;

/// <summary>
/// RGBA8 to PNG, colour type 2 when every alpha is 255 else 6, 8 bits, no interlace: each row
/// packed, filtered and written to one <see cref="ZLibStream"/> in turn.
/// </summary>
public sealed class BaselinePngWriter
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly IdatStream _idat;
    private readonly Crc32 _crc = new();

    // Raw rows (RGB or RGBA), this one and the one above; and one filtered row per filter type,
    // each with the filter-type byte in front, as it goes to deflate.
    private byte[] _current = [];
    private byte[] _previous = [];
    private readonly byte[][] _filtered = [[], [], [], [], []];

    public BaselinePngWriter() => _idat = new IdatStream(this);

    public void Write(Stream output, ReadOnlySpan<byte> rgba, int width, int height, int stride, PngOptions options)
    {
        bool opaque = IsOpaque(rgba, width, height, stride);
        int channels = opaque ? 3 : 4;
        int rowBytes = width * channels;
        EnsureRows(rowBytes);

        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.Slice(4), height);
        ihdr[8] = 8;
        ihdr[9] = opaque ? (byte)2 : (byte)6;
        ihdr[10] = 0;
        ihdr[11] = 0;
        ihdr[12] = 0;
        WriteChunk(output, "IHDR"u8, ihdr);

        _idat.Start(output);
        var level = new ZLibCompressionOptions { CompressionLevel = options.CompressionLevel, CompressionStrategy = options.Strategy };
        using (var zlib = new ZLibStream(_idat, level, leaveOpen: true))
        {
            _previous.AsSpan(0, rowBytes).Clear();
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> src = rgba.Slice(y * stride, width * 4);
                Span<byte> raw = _current.AsSpan(0, rowBytes);
                if (opaque)
                {
                    PackRgb(src, _current, width);
                }
                else
                {
                    src.CopyTo(raw);
                }

                byte[] row = FilterRow(raw, _previous.AsSpan(0, rowBytes), channels, options.Filter);
                zlib.Write(row, 0, rowBytes + 1);
                (_current, _previous) = (_previous, _current);
            }
        }

        _idat.Finish();
        WriteChunk(output, "IEND"u8, []);
    }

    private static bool IsOpaque(ReadOnlySpan<byte> rgba, int width, int height, int stride)
    {
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

    private void EnsureRows(int rowBytes)
    {
        // 16 bytes of slack: PackRgb stores 16 bytes for every 12 it produces.
        if (_current.Length < rowBytes + 16)
        {
            _current = new byte[rowBytes + 16];
            _previous = new byte[rowBytes + 16];
            for (int i = 0; i < _filtered.Length; i++)
            {
                _filtered[i] = new byte[rowBytes + 1];
            }
        }
    }

    private static void PackRgb(ReadOnlySpan<byte> src, Span<byte> dst, int width)
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

    private byte[] FilterRow(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, PngFilter filter)
    {
        if (filter != PngFilter.Adaptive)
        {
            byte[] row = _filtered[(int)filter];
            ApplyFilter(filter, raw, above, bpp, row);
            return row;
        }

        byte[] best = _filtered[0];
        long bestSum = long.MaxValue;
        for (PngFilter f = PngFilter.None; f <= PngFilter.Paeth; f++)
        {
            byte[] row = _filtered[(int)f];
            ApplyFilter(f, raw, above, bpp, row);
            long sum = SumOfAbs(row.AsSpan(1, raw.Length));
            if (sum < bestSum)
            {
                bestSum = sum;
                best = row;
            }
        }

        return best;
    }

    private static void ApplyFilter(PngFilter filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, Span<byte> output)
    {
        output[0] = (byte)filter;
        Span<byte> o = output.Slice(1, raw.Length);
        int n = raw.Length;
        switch (filter)
        {
            case PngFilter.None:
                raw.CopyTo(o);
                break;
            case PngFilter.Sub:
                raw.Slice(0, bpp).CopyTo(o);
                Subtract(raw.Slice(bpp), raw.Slice(0, n - bpp), o.Slice(bpp));
                break;
            case PngFilter.Up:
                Subtract(raw, above, o);
                break;
            case PngFilter.Average:
                for (int i = 0; i < n; i++)
                {
                    int left = i >= bpp ? raw[i - bpp] : 0;
                    o[i] = (byte)(raw[i] - ((left + above[i]) >> 1));
                }

                break;
            default:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? raw[i - bpp] : 0;
                    int c = i >= bpp ? above[i - bpp] : 0;
                    o[i] = (byte)(raw[i] - Paeth(a, above[i], c));
                }

                break;
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Subtract(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> result)
    {
        int i = 0;
        for (; i <= x.Length - 32; i += 32)
        {
            (Vector256.Create<byte>(x.Slice(i, 32)) - Vector256.Create<byte>(y.Slice(i, 32))).CopyTo(result.Slice(i, 32));
        }

        for (; i < x.Length; i++)
        {
            result[i] = (byte)(x[i] - y[i]);
        }
    }

    private static long SumOfAbs(ReadOnlySpan<byte> row)
    {
        long sum = 0;
        foreach (byte b in row)
        {
            sum += Math.Abs((int)(sbyte)b);
        }

        return sum;
    }

    private void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        _crc.Reset();
        _crc.Append(type);
        _crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, _crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }

    /// <summary>Takes the zlib stream and cuts it into IDAT chunks of up to 256 KiB on the output.</summary>
    private sealed class IdatStream(BaselinePngWriter writer) : Stream
    {
        private const int ChunkData = 256 * 1024;
        private readonly byte[] _buffer = new byte[ChunkData];
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
                writer.WriteChunk(_output ?? throw new InvalidOperationException("IDAT stream used outside Write"), "IDAT"u8, _buffer.AsSpan(0, _used));
                _used = 0;
            }
        }
    }
}
