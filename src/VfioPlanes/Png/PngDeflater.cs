using System.Buffers.Binary;
using VgpuView.VfioPlanes.Threading;

namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// Filters and compresses an image's rows into one zlib stream (RFC 1950) in independent pieces,
/// on all cores, as pigz does: each piece is a band of rows filtered and deflated on its own, cut
/// at a sync flush so it ends on a byte boundary in a non-final block, and the pieces are joined in
/// order under one zlib header with one Adler-32 combined from theirs. Deflate back-references
/// never reach into another piece (each has its own compressor), and filters read the row above
/// from the image, so a decoder sees one ordinary stream. The calling thread compresses pieces
/// too, with thread-pool threads taking pieces beside it (<see cref="PieceWork"/>). Not
/// thread-safe; buffers are kept.
/// </summary>
internal sealed class PngDeflater : PieceWork
{
    /// <summary>Below this many filtered bytes a piece is not worth a core: the image is cut into fewer pieces.</summary>
    internal const int MinPieceBytes = 256 * 1024;

    // RFC 1950: Adler-32 sums are taken modulo 65521, the largest prime below 2^16.
    private const uint AdlerBase = 65521;

    private Piece[] _pieces = [];
    private byte[] _image = [];
    private int _rowBytes;
    private int _rows;
    private int _rowsPerPiece;
    private int _bpp;
    private PngOptions _options = PngOptions.Default;

    /// <summary>
    /// How many pieces an image of <paramref name="filteredBytes"/> is cut into on <paramref name="cores"/>
    /// cores: up to four a core, so a piece that is slow to compress (a photo, noise) does not hold the
    /// others up; on the desktop frame of the benchmarks eight pieces on two cores took about half the
    /// time of four, at the same size.
    /// </summary>
    internal static int PieceCount(long filteredBytes, int cores) =>
        cores <= 1 ? 1 : (int)Math.Clamp(filteredBytes / MinPieceBytes, 1, cores * 4L);

    /// <summary>
    /// Compresses <paramref name="rows"/> raw rows of <paramref name="rowBytes"/> bytes, packed in
    /// <paramref name="image"/>, into <paramref name="output"/> as one zlib stream.
    /// </summary>
    /// <param name="pieces">How many pieces; 0 chooses by size and <see cref="Environment.ProcessorCount"/>.</param>
    public void Compress(byte[] image, int rowBytes, int rows, int bpp, PngOptions options, Stream output, int pieces = 0)
    {
        long filtered = (rowBytes + 1L) * rows;
        int count = Math.Min(rows, pieces > 0 ? pieces : PieceCount(filtered, Environment.ProcessorCount));
        _image = image;
        _rowBytes = rowBytes;
        _rows = rows;
        _bpp = bpp;
        _options = options;
        _rowsPerPiece = (rows + count - 1) / count;
        count = (rows + _rowsPerPiece - 1) / _rowsPerPiece;
        EnsurePieces(count, rowBytes);

        RunPieces(count);

        // The first piece's zlib header serves the whole stream; each piece's body follows in order.
        uint adler = 1;
        for (int i = 0; i < count; i++)
        {
            Piece piece = _pieces[i];
            ReadOnlySpan<byte> data = piece.Output.AsSpan(0, piece.BodyEnd);
            output.Write(i == 0 ? data : data.Slice(2));
            adler = i == 0 ? piece.Adler : Adler32Combine(adler, piece.Adler, piece.InputBytes);
        }

        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, adler);
        output.Write(trailer);
        _image = [];
    }

    protected override void RunPiece(int index) => CompressPiece(index);

    /// <summary>
    /// The Adler-32 of A followed by B from theirs and B's length n. With s1 = 1 + Σ bytes and
    /// s2 = Σ of s1 after each byte: s1(AB) = s1(A) + s1(B) - 1, and s2(AB) = s2(A) + s2(B) +
    /// n (s1(A) - 1), since each of B's n running sums also counts A's bytes; all modulo 65521.
    /// </summary>
    internal static uint Adler32Combine(uint adlerA, uint adlerB, long lengthB)
    {
        ulong s1a = adlerA & 0xFFFF, s2a = adlerA >> 16;
        ulong s1b = adlerB & 0xFFFF, s2b = adlerB >> 16;
        ulong n = (ulong)(lengthB % AdlerBase);
        ulong s1 = (s1a + s1b + AdlerBase - 1) % AdlerBase;
        ulong s2 = (s2a + s2b + (n * ((s1a + AdlerBase - 1) % AdlerBase))) % AdlerBase;
        return (uint)((s2 << 16) | s1);
    }

    private void EnsurePieces(int count, int rowBytes)
    {
        if (_pieces.Length < count)
        {
            Array.Resize(ref _pieces, count);
        }

        for (int i = 0; i < count; i++)
        {
            _pieces[i] ??= new Piece();
            _pieces[i].EnsureRows(rowBytes);
        }
    }

    private void CompressPiece(int index)
    {
        Piece piece = _pieces[index];
        int first = index * _rowsPerPiece;
        int end = Math.Min(_rows, first + _rowsPerPiece);
        bool last = end == _rows;
        int rowBytes = _rowBytes;
        piece.Length = 0;

        var zlib = default(Interop.CompressionNative.PAL_ZStream);
        int init = Interop.CompressionNative.DeflateInit2_(
            ref zlib, _options.CompressionLevel, Interop.CompressionNative.Z_DEFLATED,
            Interop.CompressionNative.ZlibWindowBits, Interop.CompressionNative.DefaultMemLevel, (int)_options.Strategy);
        if (init != Interop.CompressionNative.Z_OK)
        {
            throw new InvalidOperationException($"zlib could not start a deflate stream at level {_options.CompressionLevel} (error {init})");
        }

        try
        {
            for (int y = first; y < end; y++)
            {
                ReadOnlySpan<byte> raw = _image.AsSpan(y * rowBytes, rowBytes);
                ReadOnlySpan<byte> above = y == 0 ? piece.Zeros.AsSpan(0, rowBytes) : _image.AsSpan((y - 1) * rowBytes, rowBytes);
                byte[] row;
                if (_options.Filter == PngFilter.Adaptive)
                {
                    row = PngFilters.Choose(raw, above, _bpp, piece.Filtered);
                }
                else
                {
                    row = piece.Filtered[0];
                    PngFilters.Apply(_options.Filter, raw, above, _bpp, row);
                }

                Deflate(ref zlib, piece, row.AsSpan(0, rowBytes + 1), Interop.CompressionNative.Z_NO_FLUSH);
            }

            if (!last)
            {
                // A sync flush ends the piece's data on a byte boundary inside a non-final block:
                // everything written so far is out, and what finishing adds (an empty final block
                // and the trailer) is cut off below, all but the Adler-32.
                Deflate(ref zlib, piece, [], Interop.CompressionNative.Z_SYNC_FLUSH);
            }

            piece.BodyEnd = piece.Length;
            Deflate(ref zlib, piece, [], Interop.CompressionNative.Z_FINISH);
        }
        finally
        {
            Interop.CompressionNative.DeflateEnd(ref zlib);
        }

        // RFC 1950 2.2: the stream ends with the Adler-32 of the uncompressed data, big-endian.
        piece.Adler = BinaryPrimitives.ReadUInt32BigEndian(piece.Output.AsSpan(piece.Length - 4));
        piece.InputBytes = (long)(end - first) * (rowBytes + 1);
        if (last)
        {
            piece.BodyEnd = piece.Length - 4;
        }
    }

    /// <summary>
    /// Feeds <paramref name="input"/> to the stream with <paramref name="flush"/>, growing the
    /// piece's output until zlib has taken all the input and, for a flush, written all it holds.
    /// </summary>
    private static void Deflate(ref Interop.CompressionNative.PAL_ZStream zlib, Piece piece, ReadOnlySpan<byte> input, int flush)
    {
        while (true)
        {
            if (piece.Length == piece.Output.Length)
            {
                piece.Grow();
            }

            Span<byte> room = piece.Output.AsSpan(piece.Length);
            int result = Interop.CompressionNative.Deflate(ref zlib, input, room, flush, out int consumed, out int produced);
            piece.Length += produced;
            input = input.Slice(consumed);
            if (result == Interop.CompressionNative.Z_STREAM_END)
            {
                return;
            }

            if (result is not (Interop.CompressionNative.Z_OK or Interop.CompressionNative.Z_BUF_ERROR)
                || (result == Interop.CompressionNative.Z_BUF_ERROR && flush == Interop.CompressionNative.Z_FINISH && produced == 0))
            {
                throw new InvalidOperationException($"zlib deflate failed (error {result})");
            }

            // Done when the input is taken and zlib left room unused (so it holds nothing back);
            // Z_FINISH is done only at Z_STREAM_END.
            if (input.IsEmpty && produced < room.Length && flush != Interop.CompressionNative.Z_FINISH)
            {
                return;
            }
        }
    }

    /// <summary>One band of rows: its filtered-row buffers and its compressed output, kept between images.</summary>
    private sealed class Piece
    {
        public byte[][] Filtered { get; } = [[], [], [], [], []];

        public byte[] Zeros { get; private set; } = [];

        /// <summary>The piece's zlib stream (header, deflate data, Adler-32) in its first <see cref="Length"/> bytes.</summary>
        public byte[] Output { get; private set; } = new byte[64 * 1024];

        public int Length { get; set; }

        /// <summary>Where the deflate data ends in <see cref="Output"/> (the zlib header is at 0..1).</summary>
        public int BodyEnd { get; set; }

        public uint Adler { get; set; }

        public long InputBytes { get; set; }

        public void EnsureRows(int rowBytes)
        {
            if (Zeros.Length < rowBytes)
            {
                Zeros = new byte[rowBytes];
                for (int i = 0; i < Filtered.Length; i++)
                {
                    Filtered[i] = new byte[rowBytes + 1];
                }
            }
        }

        public void Grow()
        {
            byte[] larger = GC.AllocateUninitializedArray<byte>(Output.Length * 2);
            Output.AsSpan(0, Length).CopyTo(larger);
            Output = larger;
        }
    }
}
