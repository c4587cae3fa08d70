using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Pixels;

public static partial class PixelConverter
{
    /// <summary>
    /// The vector conversion of a whole plane, for the formats <see cref="HasKernel"/> accepts:
    /// linear rows in 32-byte steps, X tiles tile by tile (each 4 KiB read in order, eight 512-byte
    /// rows), Y tiles tile by tile and row by row within the tile, two 16-byte columns a step.
    /// Whatever does not fill a step (a row's end, a part column) goes through the scalar rows.
    /// </summary>
    /// <remarks>
    /// Loads and stores go by reference without per-vector bounds checks. <see cref="Convert"/> has
    /// checked that src holds whole rows of tiles (or every linear row) and dst every output row, and
    /// each step below stays inside the row, tile and column it was computed from.
    /// </remarks>
    private static void ConvertVector(ReadOnlySpan<byte> src, in PlaneLayout layout, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        switch (plan.Format.Layout)
        {
            case FormatLayout.Rgb32:
                Walk(new Rgb32Kernel(plan), src, layout, rowBytes, dst, dstStride, plan);
                break;
            case FormatLayout.Rgb30:
                Walk(new Rgb30Kernel(plan), src, layout, rowBytes, dst, dstStride, plan);
                break;
            case FormatLayout.Packed16:
                Walk(new Packed16Kernel(plan), src, layout, rowBytes, dst, dstStride, plan);
                break;
            default:
                Walk(new Yuv422Kernel(plan), src, layout, rowBytes, dst, dstStride, plan);
                break;
        }
    }

    private static void Walk<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        switch (layout.Modifier)
        {
            case DrmModifier.Linear:
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

                break;
            case DrmModifier.I915XTiled:
                XTiles(kernel, src, layout, rowBytes, dst, dstStride, plan);
                break;
            default:
                YTiles(kernel, src, layout, rowBytes, dst, dstStride, plan);
                break;
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
        if (kernel.Wide)
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
            Half(kernel, Vector128.Create<byte>(src.Slice(steps * 32, 16)), dst.Slice(done * 4, per16 * 4));
            done += per16;
        }

        if (done < pixels)
        {
            ConvertRun(src.Slice(done / per16 * 16), dst.Slice(done * 4), pixels - done, plan);
        }
    }

    /// <summary>One 16-byte column alone: converted as the first half of a step, of which the first half of the output is kept.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Half<TKernel>(TKernel kernel, Vector128<byte> column, Span<byte> dst)
        where TKernel : struct, IColumnKernel
    {
        Span<byte> both = stackalloc byte[64];
        kernel.Convert32(Vector256.Create(column, column), ref MemoryMarshal.GetReference(both));
        both.Slice(0, dst.Length).CopyTo(dst);
    }

    private static void XTiles<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        int runPixels = XTileWidth / 16 * kernel.PixelsPer16;
        int tilesAcross = (rowBytes + XTileWidth - 1) / XTileWidth;
        int bandBytes = layout.Stride * XTileRows;
        for (int band = 0; band * XTileRows < layout.Height; band++)
        {
            int rows = Math.Min(XTileRows, layout.Height - (band * XTileRows));
            for (int t = 0; t < tilesAcross; t++)
            {
                int x = t * runPixels;
                int n = Math.Min(runPixels, layout.Width - x);
                int tile = (band * bandBytes) + (t * TileBytes);
                int bytes = Math.Min(XTileWidth, rowBytes - (t * XTileWidth));
                for (int r = 0; r < rows; r++)
                {
                    int y = (band * XTileRows) + r;
                    Run(kernel, src.Slice(tile + (r * XTileWidth), bytes), dst.Slice((y * dstStride) + (x * 4), n * 4), n, plan);
                }
            }
        }
    }

    private static void YTiles<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, in PlaneLayout layout, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
        where TKernel : struct, IColumnKernel
    {
        const int columnBytes = YColumnWidth * YTileRows; // 512: one column, all 32 rows
        const int columns = YTileWidth / YColumnWidth;    // 8 in a tile
        const int RowGroup = 16;
        int per16 = kernel.PixelsPer16;
        int tilesAcross = (rowBytes + YTileWidth - 1) / YTileWidth;
        int bandBytes = layout.Stride * YTileRows;
        int width = layout.Width;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        for (int band = 0; band * YTileRows < layout.Height; band++)
        {
            int rows = Math.Min(YTileRows, layout.Height - (band * YTileRows));

            // Whole tiles, sixteen rows at a time across the band: that many output rows are
            // written in order (few enough streams for the prefetcher to follow; all 32 rows of a
            // tile at once measured half as fast), and each tile gives them four whole cache lines
            // of each of its columns.
            int wholeTiles = width / (columns * per16);
            for (int group = 0; group < rows; group += RowGroup)
            {
                int groupRows = Math.Min(RowGroup, rows - group);
                for (int t = 0; t < wholeTiles; t++)
                {
                    ref byte tile = ref Unsafe.Add(ref s, (band * bandBytes) + (t * TileBytes) + (group * YColumnWidth));
                    ref byte target = ref Unsafe.Add(ref d, ((nint)((band * YTileRows) + group) * dstStride) + (t * columns * per16 * 4));
                    for (int r = 0; r < groupRows; r++)
                    {
                        ref byte line = ref Unsafe.Add(ref tile, r * YColumnWidth);
                        ref byte row = ref Unsafe.Add(ref target, (nint)r * dstStride);
                        if (kernel.Wide)
                        {
                            for (int c = 0; c < columns; c += 4)
                            {
                                Vector512<byte> v = Vector512.Create(
                                    Vector256.Create(
                                        Vector128.LoadUnsafe(ref line, (nuint)(c * columnBytes)),
                                        Vector128.LoadUnsafe(ref line, (nuint)((c + 1) * columnBytes))),
                                    Vector256.Create(
                                        Vector128.LoadUnsafe(ref line, (nuint)((c + 2) * columnBytes)),
                                        Vector128.LoadUnsafe(ref line, (nuint)((c + 3) * columnBytes))));
                                kernel.Convert64(v, ref Unsafe.Add(ref row, c * per16 * 4));
                            }

                            continue;
                        }

                        for (int c = 0; c < columns; c += 2)
                        {
                            Vector256<byte> v = Vector256.Create(
                                Vector128.LoadUnsafe(ref line, (nuint)(c * columnBytes)),
                                Vector128.LoadUnsafe(ref line, (nuint)((c + 1) * columnBytes)));
                            kernel.Convert32(v, ref Unsafe.Add(ref row, c * per16 * 4));
                        }
                    }
                }
            }

            for (int t = wholeTiles; t < tilesAcross; t++)
            {
                int tile = (band * bandBytes) + (t * TileBytes);
                int x0 = t * columns * per16;
                if (x0 + (columns * per16) <= width)
                {
                    continue;
                }

                for (int r = 0; r < rows; r++)
                {
                    int at = tile + (r * YColumnWidth);
                    int y = (band * YTileRows) + r;

                    // The last tile of a row that ends inside it: column by column, as far as the width.
                    for (int c = 0; c < columns && x0 + (c * per16) < width; c++)
                    {
                        int x = x0 + (c * per16);
                        int n = Math.Min(per16, width - x);
                        ReadOnlySpan<byte> column = src.Slice(at + (c * columnBytes), YColumnWidth);
                        Span<byte> target = dst.Slice((y * dstStride) + (x * 4), n * 4);
                        if (n == per16)
                        {
                            Half(kernel, Vector128.Create<byte>(column), target);
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
