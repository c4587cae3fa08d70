// The converter's vector walks over a whole plane: linear rows, X tiles and Y tile columns.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Pixels;

public static partial class PixelConverter
{
    /// <summary>
    /// The vector conversion of a whole plane, for the formats <see cref="HasKernel"/> accepts:
    /// linear rows in 32- or 64-byte steps, X tiles tile by tile (each 4 KiB read in order, eight
    /// 512-byte rows), Y tiles tile by tile and column by column (each 512-byte column read in order,
    /// two rows a step). Whatever does not fill a step (a row's end, a part column) goes through the
    /// scalar rows.
    /// </summary>
    /// <remarks>
    /// Loads and stores go by reference without per-vector bounds checks. <see cref="Convert"/> has
    /// checked that src holds whole rows of tiles (or every linear row) and dst every output row, and
    /// each step below stays inside the row, tile and column it was computed from.
    /// </remarks>
    private static void ConvertVector(ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        switch (plan.Format.Layout)
        {
            case FormatLayout.Rgb32:
                Walk(new Rgb32Kernel(plan), src, layout, tiles, rowBytes, dst, dstStride, plan);
                break;
            case FormatLayout.Rgb30:
                Walk(new Rgb30Kernel(plan), src, layout, tiles, rowBytes, dst, dstStride, plan);
                break;
            case FormatLayout.Packed16:
                Walk(new Packed16Kernel(plan), src, layout, tiles, rowBytes, dst, dstStride, plan);
                break;
            default:
                Walk(new Yuv422Kernel(plan), src, layout, tiles, rowBytes, dst, dstStride, plan);
                break;
        }
    }

    private static void Walk<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        if (!tiles.IsLinear)
        {
            if (tiles.ColumnBytes == tiles.WidthBytes)
            {
                XTiles(kernel, src, layout, tiles, rowBytes, dst, dstStride, plan);
            }
            else
            {
                YTiles(kernel, src, layout, tiles, rowBytes, dst, dstStride, plan);
            }

            return;
        }

        if (layout.Stride == rowBytes && dstStride == layout.Width * 4 && rowBytes == layout.Width * plan.Format.BytesPerPixel)
        {
            // No padding on either side: the plane is one long run.
            int pixels = layout.Width * layout.Height;
            Run(kernel, src.Slice(0, rowBytes * layout.Height), dst.Slice(0, pixels * 4), pixels, plan);
            return;
        }

        for (int y = 0; y < layout.Height; y++)
        {
            Run(kernel, src.Slice(y * layout.Stride, rowBytes), dst.Slice(y * dstStride, layout.Width * 4), layout.Width, plan);
        }
    }

    /// <summary>Converts <paramref name="pixels"/> contiguous pixels: 32 source bytes a step, then 16 (through a half-used step), then the scalar rows.</summary>
    private static void Run<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        int per16 = kernel.PixelsPer16;
        int steps = pixels / (per16 * 2);
        if ((long)steps * 32 > src.Length || (long)pixels * 4 > dst.Length)
        {
            throw new ArgumentException("a run is shorter than its pixels", nameof(src));
        }

        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        int dstStep = per16 * 8;
        int i = 0;
        if (kernel.WideInTiles)
        {
            for (; i + 1 < steps; i += 2)
            {
                kernel.Convert64(Vector512.LoadUnsafe(ref s, (nuint)i * 32), ref Unsafe.Add(ref d, (nint)i * dstStep));
            }
        }

        for (; i < steps; i++)
        {
            kernel.Convert32(Vector256.LoadUnsafe(ref s, (nuint)i * 32), ref Unsafe.Add(ref d, (nint)i * dstStep));
        }

        int done = steps * per16 * 2;
        if (pixels - done >= per16)
        {
            Half(kernel, Vector128.Create<byte>(src.Slice(steps * 32, 16)), ref MemoryMarshal.GetReference(dst.Slice(done * 4, per16 * 4)));
            done += per16;
        }

        if (done < pixels)
        {
            ConvertRun(src.Slice(done / per16 * 16), dst.Slice(done * 4), pixels - done, plan);
        }
    }

    /// <summary>
    /// One 16-byte column alone: converted as both halves of a step, whose two outputs are the same
    /// pixels, stored to the same <see cref="IColumnKernel.PixelsPer16"/> pixels at <paramref name="dst"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Half<TKernel>(TKernel kernel, Vector128<byte> column, ref byte dst)
        where TKernel : struct, IColumnKernel =>
        kernel.Convert32Split(Vector256.Create(column, column), ref dst, ref dst);

    /// <summary>
    /// Tiles whose rows are contiguous (X): tile after tile across a band, each tile's rows in
    /// turn, so the source is read in the order it lies (reading each output row across the band
    /// instead, jumping a page every tile row, measured half as fast). Tiles the width covers are
    /// converted inline; the last, cut one goes row by row through <see cref="Run"/>.
    /// </summary>
    private static void XTiles<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        int tileWidth = tiles.WidthBytes;
        int tileRows = tiles.Rows;
        int tileBytes = tiles.TileBytes;
        int tilePixels = tileWidth / 16 * kernel.PixelsPer16;
        int wholeTiles = layout.Width / tilePixels;
        int tilesAcross = (rowBytes + tileWidth - 1) / tileWidth;
        int bandBytes = layout.Stride * tileRows;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int band = 0; band * tileRows < layout.Height; band++)
        {
            int rows = Math.Min(tileRows, layout.Height - (band * tileRows));
            ref byte bandDst = ref Unsafe.Add(ref d, (nint)band * tileRows * dstStride);
            for (int t = 0; t < wholeTiles; t++)
            {
                ref byte tile = ref Unsafe.Add(ref s, (band * bandBytes) + (t * tileBytes));
                ref byte target = ref Unsafe.Add(ref bandDst, t * tilePixels * 4);
                for (int r = 0; r < rows; r++)
                {
                    TileRow(kernel, ref Unsafe.Add(ref tile, r * tileWidth), ref Unsafe.Add(ref target, (nint)r * dstStride), tileWidth);
                }
            }

            for (int t = wholeTiles; t < tilesAcross; t++)
            {
                int x = t * tilePixels;
                int n = layout.Width - x;
                int bytes = rowBytes - (t * tileWidth);
                for (int r = 0; r < rows; r++)
                {
                    int y = (band * tileRows) + r;
                    Run(kernel, src.Slice((band * bandBytes) + (t * tileBytes) + (r * tileWidth), bytes), dst.Slice((y * dstStride) + (x * 4), n * 4), n, plan);
                }
            }
        }
    }

    /// <summary>One whole row of an X tile, <paramref name="bytes"/> contiguous source bytes, 64 or 32 at a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TileRow<TKernel>(TKernel kernel, ref byte from, ref byte to, int bytes)
        where TKernel : struct, IColumnKernel
    {
        int out16 = kernel.PixelsPer16 * 4;
        if (kernel.WideInTiles)
        {
            for (int i = 0; i < bytes; i += 64)
            {
                kernel.Convert64(Vector512.LoadUnsafe(ref from, (nuint)i), ref Unsafe.Add(ref to, i / 16 * out16));
            }

            return;
        }

        for (int i = 0; i < bytes; i += 32)
        {
            kernel.Convert32(Vector256.LoadUnsafe(ref from, (nuint)i), ref Unsafe.Add(ref to, i / 16 * out16));
        }
    }

    /// <summary>
    /// Tiles made of columns (Y): tile after tile across a band and column after column inside
    /// each, so the source is read in the order it lies. A column is 32 rows of 16 bytes; each
    /// 32-byte load holds two rows' pieces, converted and stored to the two output rows. (Walking
    /// rows first and columns inside, loads 512 bytes apart, measured several times slower.) A row
    /// left alone at the bottom of a band, and the columns of a last, cut tile, go a piece at a time.
    /// </summary>
    private static void YTiles<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        int columnBytes = tiles.ColumnBytes;
        int columnRun = tiles.ColumnRunBytes;
        int columns = tiles.WidthBytes / columnBytes;
        int tileRows = tiles.Rows;
        int tileBytes = tiles.TileBytes;
        int per16 = kernel.PixelsPer16;
        int piece = per16 * 4;
        int tilePixels = columns * per16;
        int wholeTiles = layout.Width / tilePixels;
        int tilesAcross = (rowBytes + tiles.WidthBytes - 1) / tiles.WidthBytes;
        int bandBytes = layout.Stride * tileRows;
        int width = layout.Width;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int band = 0; band * tileRows < layout.Height; band++)
        {
            int rows = Math.Min(tileRows, layout.Height - (band * tileRows));
            int pairs = rows & ~1;
            ref byte bandSrc = ref Unsafe.Add(ref s, band * bandBytes);
            ref byte bandDst = ref Unsafe.Add(ref d, (nint)band * tileRows * dstStride);
            for (int t = 0; t < wholeTiles; t++)
            {
                ref byte tile = ref Unsafe.Add(ref bandSrc, t * tileBytes);
                ref byte target = ref Unsafe.Add(ref bandDst, t * tilePixels * 4);
                for (int c = 0; c < columns; c++)
                {
                    ref byte column = ref Unsafe.Add(ref tile, c * columnRun);
                    ref byte top = ref Unsafe.Add(ref target, c * piece);
                    for (int r = 0; r < pairs; r += 2)
                    {
                        ref byte first = ref Unsafe.Add(ref top, (nint)r * dstStride);
                        kernel.Convert32Split(Vector256.LoadUnsafe(ref column, (nuint)(r * columnBytes)), ref first, ref Unsafe.Add(ref first, dstStride));
                    }
                }

                if (pairs < rows)
                {
                    ref byte line = ref Unsafe.Add(ref tile, pairs * columnBytes);
                    ref byte last = ref Unsafe.Add(ref target, (nint)pairs * dstStride);
                    for (int c = 0; c < columns; c++)
                    {
                        Half(kernel, Vector128.LoadUnsafe(ref line, (nuint)(c * columnRun)), ref Unsafe.Add(ref last, c * piece));
                    }
                }
            }

            for (int t = wholeTiles; t < tilesAcross; t++)
            {
                int tile = (band * bandBytes) + (t * tileBytes);
                int x0 = t * tilePixels;
                for (int r = 0; r < rows; r++)
                {
                    int at = tile + (r * columnBytes);
                    int y = (band * tileRows) + r;

                    // The last tile of a row that ends inside it: column by column, as far as the width.
                    for (int c = 0; c < columns && x0 + (c * per16) < width; c++)
                    {
                        int x = x0 + (c * per16);
                        int n = Math.Min(per16, width - x);
                        ReadOnlySpan<byte> column = src.Slice(at + (c * columnRun), columnBytes);
                        Span<byte> target = dst.Slice((y * dstStride) + (x * 4), n * 4);
                        if (n == per16)
                        {
                            Half(kernel, Vector128.Create<byte>(column), ref MemoryMarshal.GetReference(target));
                        }
                        else
                        {
                            ConvertRun(column, target, n, plan);
                        }
                    }
                }
            }
        }
    }
}
