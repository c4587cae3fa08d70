// The converter on all cores: a large plane cut into bands of whole tile rows.
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Threading;

namespace VgpuView.VfioPlanes.Pixels;

public static partial class PixelConverter
{
    /// <summary>Below this many output bytes a band is not worth a core: a 1080p frame (8 MB) makes at most eight bands, a cursor one.</summary>
    internal const int MinBandBytes = 1 << 20;

    /// <summary>
    /// How many bands a plane is converted in on <paramref name="cores"/> cores: one when there is
    /// one core or the plane is small, else up to two a core (a core the scheduler takes away for a
    /// while then holds up half a band's worth, not a whole core's share), each at least
    /// <see cref="MinBandBytes"/> of output, and never more than the plane has tile rows.
    /// </summary>
    internal static int BandCount(in PlaneLayout layout, in TileLayout tiles, int cores)
    {
        if (cores <= 1)
        {
            return 1;
        }

        long output = (long)layout.Width * 4 * layout.Height;
        int tileRows = (layout.Height + tiles.Rows - 1) / tiles.Rows;
        return (int)Math.Min(Math.Clamp(output / MinBandBytes, 1, cores * 2L), tileRows);
    }

    /// <summary>
    /// Converts the plane in <paramref name="bands"/> bands of whole tile rows (whole rows when
    /// linear) on this thread and pool threads. A band starting at row y starts at byte y * stride
    /// of the source in every layout (a row of Y or X tiles is stride * tile height bytes), so each
    /// band is an ordinary plane of its own, and the bands write disjoint rows of
    /// <paramref name="dst"/>. The spans are pinned for the whole call, which returns only when every
    /// band is done.
    /// </summary>
    private static unsafe void ConvertBands(ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan, int bands)
    {
        BandWork work = t_bands ??= new BandWork();
        int bandRows = (layout.Height + bands - 1) / bands;
        bandRows = (bandRows + tiles.Rows - 1) / tiles.Rows * tiles.Rows;
        fixed (byte* from = src)
        fixed (byte* to = dst)
        {
            work.Run(from, src.Length, layout, tiles, rowBytes, to, dst.Length, dstStride, plan, bandRows);
        }
    }

    // One per thread that converts: reused, so converting a series of frames allocates nothing.
    [ThreadStatic]
    private static BandWork? t_bands;

    private sealed unsafe class BandWork : PieceWork
    {
        private byte* _src;
        private int _srcLength;
        private byte* _dst;
        private int _dstLength;
        private int _dstStride;
        private int _rowBytes;
        private int _bandRows;
        private PlaneLayout _layout;
        private TileLayout _tiles;
        private RowPlan _plan;

        public void Run(byte* src, int srcLength, in PlaneLayout layout, in TileLayout tiles, int rowBytes, byte* dst, int dstLength, int dstStride, in RowPlan plan, int bandRows)
        {
            _src = src;
            _srcLength = srcLength;
            _dst = dst;
            _dstLength = dstLength;
            _layout = layout;
            _tiles = tiles;
            _rowBytes = rowBytes;
            _dstStride = dstStride;
            _plan = plan;
            _bandRows = bandRows;
            try
            {
                RunPieces((layout.Height + bandRows - 1) / bandRows);
            }
            finally
            {
                // Nothing keeps the pointers past the pinning.
                _src = null;
                _dst = null;
            }
        }

        protected override void RunPiece(int index)
        {
            int top = index * _bandRows;
            int rows = Math.Min(_bandRows, _layout.Height - top);
            long srcAt = (long)top * _layout.Stride;
            long dstAt = (long)top * _dstStride;
            var band = new PlaneLayout(_layout.Fourcc, _layout.Modifier, _layout.Width, rows, _layout.Stride);
            ConvertRows(
                new ReadOnlySpan<byte>(_src + srcAt, (int)(_srcLength - srcAt)), band, _tiles, _rowBytes,
                new Span<byte>(_dst + dstAt, (int)(_dstLength - dstAt)), _dstStride, _plan);
        }
    }
}
