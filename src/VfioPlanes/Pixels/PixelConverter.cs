using System.Buffers;
using System.Runtime.Intrinsics.X86;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Pixels;

/// <summary>
/// Converts a plane, as the device laid it out, to RGBA8 (bytes R, G, B, A) on the CPU: every
/// format of <see cref="FormatTable"/>, linear or Intel X/Y tiled.
/// </summary>
/// <remarks>
/// <para>Channel widths: a channel wider than 8 bits keeps its top 8 bits (10-bit 0x3FF → 0xFF,
/// 0x200 → 0x80); a narrower one is widened by repeating its bits (5-bit 0x10 → 0x84, 6-bit
/// 0x20 → 0x82, 2-bit alpha 1 → 0x55), so full scale stays full scale.</para>
/// <para>Alpha: a format without alpha gives 255. A format with alpha gives 255 too unless
/// keepAlpha is set: the primary plane is shown opaque, as a monitor shows it.</para>
/// <para>C8: the palette is not exported through VFIO, so the index is shown as grey
/// (R = G = B = index, A = 255).</para>
/// <para>4:2:2 YUV (YUYV, YVYU, UYVY, VYUY) is BT.601 limited range, in integers, per pixel:
/// C = Y - 16, D = Cb - 128, E = Cr - 128;
/// R = clamp((298 C + 409 E + 128) &gt;&gt; 8),
/// G = clamp((298 C - 100 D - 208 E + 128) &gt;&gt; 8),
/// B = clamp((298 C + 516 D + 128) &gt;&gt; 8),
/// where &gt;&gt; is an arithmetic (flooring) shift and clamp limits to 0..255. Both pixels of a
/// pair share its Cb and Cr; with an odd width the last pixel is Y0 of a whole pair in memory.</para>
/// <para>Tiling: LINEAR, I915_FORMAT_MOD_X_TILED and I915_FORMAT_MOD_Y_TILED, as
/// <see cref="TileLayout"/> describes them. The plane need not fill its last tiles; the source must
/// still hold whole rows of tiles.</para>
/// <para>Cores: a plane of 2 MiB or more of RGBA is converted in bands of whole tile rows on the
/// calling thread and pool threads, up to two bands a core (see BandCount); a smaller one, such
/// as a cursor, on the calling thread alone. Either way the call returns when every row is done.</para>
/// </remarks>
public static partial class PixelConverter
{
    /// <summary>The largest width or height a plane may have (see DESIGN.md, bad input).</summary>
    public const int MaxDimension = 16384;

    /// <summary>
    /// Converts <paramref name="src"/>, laid out as <paramref name="layout"/> says, into
    /// <paramref name="dst"/>: Height rows of Width RGBA pixels, <paramref name="dstStride"/> bytes apart.
    /// </summary>
    /// <exception cref="ArgumentException">The format or modifier is unsupported, or a buffer or stride does not fit the layout.</exception>
    public static void ToRgba(ReadOnlySpan<byte> src, in PlaneLayout layout, Span<byte> dst, int dstStride, bool keepAlpha) =>
        Convert(src, layout, dst, dstStride, keepAlpha, Avx2.IsSupported);

    /// <summary>
    /// The bytes a source buffer must hold for <paramref name="layout"/>: up to the end of the
    /// last row for linear planes, whole rows of tiles for tiled ones.
    /// </summary>
    /// <exception cref="ArgumentException">The layout itself is invalid (format, modifier, size or stride).</exception>
    public static long RequiredSourceBytes(in PlaneLayout layout)
    {
        ValidateLayout(layout, out _, out _, out long needed);
        return needed;
    }

    /// <summary>
    /// The conversion, with the vector paths allowed or not; both give identical bytes. Without
    /// them every pixel goes through the scalar rows of PixelConverter.Rows.cs, the reference the
    /// vector paths are tested against.
    /// </summary>
    /// <param name="wide">Whether 512-bit steps may be taken where the CPU and the kernel have them; tests turn them off to cover the 256-bit steps too.</param>
    /// <param name="cores">How many cores a large plane may be converted on; 0 means all (<see cref="BandCount"/>).</param>
    internal static void Convert(ReadOnlySpan<byte> src, in PlaneLayout layout, Span<byte> dst, int dstStride, bool keepAlpha, bool vectorise, bool wide = true, int cores = 0)
    {
        FormatInfo format = ValidateLayout(layout, out TileLayout tiles, out long rowBytes, out long needed);
        if (src.Length < needed)
        {
            throw new ArgumentException(
                $"src holds {src.Length} bytes but {layout} needs {needed}" +
                (layout.Modifier == DrmModifier.Linear ? string.Empty : " (whole rows of tiles)"),
                nameof(src));
        }

        long dstRow = (long)layout.Width * 4;
        if (dstStride < dstRow)
        {
            throw new ArgumentException($"dstStride {dstStride} is below {layout.Width} RGBA pixels ({dstRow} bytes)", nameof(dstStride));
        }

        long dstNeeded = ((long)dstStride * (layout.Height - 1)) + dstRow;
        if (dst.Length < dstNeeded)
        {
            throw new ArgumentException($"dst holds {dst.Length} bytes but {layout.Height} rows of stride {dstStride} need {dstNeeded}", nameof(dst));
        }

        var plan = new RowPlan(format, keepAlpha, vectorise, wide);
        int bands = BandCount(layout, tiles, cores > 0 ? cores : Environment.ProcessorCount);
        if (bands > 1)
        {
            ConvertBands(src, layout, tiles, (int)rowBytes, dst, dstStride, plan, bands);
        }
        else
        {
            ConvertRows(src, layout, tiles, (int)rowBytes, dst, dstStride, plan);
        }
    }

    /// <summary>Converts every row of <paramref name="layout"/> on this thread: the vector walks where a kernel fits, else the scalar rows.</summary>
    private static void ConvertRows(ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        if (HasKernel(plan))
        {
            ConvertVector(src, layout, tiles, rowBytes, dst, dstStride, plan);
        }
        else if (tiles.IsLinear)
        {
            ConvertLinear(src, layout, rowBytes, dst, dstStride, plan);
        }
        else
        {
            ConvertTiled(src, layout, tiles, rowBytes, dst, dstStride, plan);
        }
    }

    private static FormatInfo ValidateLayout(in PlaneLayout layout, out TileLayout tiles, out long rowBytes, out long needed)
    {
        if (!FormatTable.TryGet(layout.Fourcc, out FormatInfo format))
        {
            throw new ArgumentException(
                $"unsupported format '{DrmFourcc.ToText(layout.Fourcc)}' (0x{layout.Fourcc:x8})", "layout.Fourcc");
        }

        if (!TileLayout.TryGet(layout.Modifier, format.BytesPerPixel, out tiles) || !tiles.CpuDetiles)
        {
            throw new ArgumentException(
                $"unsupported modifier {DrmModifier.ToText(layout.Modifier)} ({DrmModifier.ToHex(layout.Modifier)}): " +
                "only LINEAR, I915_X_TILED and I915_Y_TILED are undone on the CPU", "layout.Modifier");
        }

        if (layout.Width is <= 0 or > MaxDimension)
        {
            throw new ArgumentException($"width {layout.Width} is outside 1..{MaxDimension}", "layout.Width");
        }

        if (layout.Height is <= 0 or > MaxDimension)
        {
            throw new ArgumentException($"height {layout.Height} is outside 1..{MaxDimension}", "layout.Height");
        }

        rowBytes = format.RowBytes(layout.Width);
        if (layout.Stride < rowBytes)
        {
            throw new ArgumentException(
                $"stride {layout.Stride} is below the {rowBytes} bytes of a row ({layout.Width} pixels of {format.Name})",
                "layout.Stride");
        }

        if (tiles.StrideProblem(layout.Stride) is string problem)
        {
            throw new ArgumentException(problem, "layout.Stride");
        }

        needed = tiles.RequiredBytes(layout.Stride, layout.Height, rowBytes);
        return format;
    }

    private static void ConvertLinear(ReadOnlySpan<byte> src, in PlaneLayout layout, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        // Rows without padding on either side (the usual full-screen plane) are one long run.
        // An odd-width 4:2:2 row ends in half a pair, so it never qualifies.
        if (layout.Stride == rowBytes && dstStride == layout.Width * 4 && rowBytes == layout.Width * plan.Format.BytesPerPixel)
        {
            int pixels = layout.Width * layout.Height;
            ConvertRun(src.Slice(0, rowBytes * layout.Height), dst.Slice(0, pixels * 4), pixels, plan);
            return;
        }

        for (int y = 0; y < layout.Height; y++)
        {
            ConvertRun(
                src.Slice(y * layout.Stride, rowBytes),
                dst.Slice(y * dstStride, layout.Width * 4),
                layout.Width,
                plan);
        }
    }

    /// <summary>
    /// Walks each row of a tiled plane as contiguous runs of <paramref name="runBytes"/> (a whole
    /// X tile row, or one 16-byte Y column). When a run holds whole pixels it is converted in
    /// place; otherwise (24-bit formats) the row is first gathered into a linear scratch row.
    /// </summary>
    private static void ConvertTiled(ReadOnlySpan<byte> src, in PlaneLayout layout, in TileLayout tiles, int rowBytes, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        int runBytes = tiles.ColumnBytes;
        int group = plan.Format.GroupBytes;
        int pixelsPerGroup = plan.Format.Layout == FormatLayout.Yuv422 ? 2 : 1;
        if (runBytes % group == 0)
        {
            int runPixels = runBytes / group * pixelsPerGroup;
            for (int y = 0; y < layout.Height; y++)
            {
                Span<byte> dstRow = dst.Slice(y * dstStride, layout.Width * 4);
                int x = 0;
                for (int xb = 0; xb < rowBytes; xb += runBytes)
                {
                    int n = Math.Min(runPixels, layout.Width - x);
                    int offset = (int)tiles.ByteOffset(layout.Stride, xb, y);
                    ConvertRun(src.Slice(offset, (int)plan.Format.RowBytes(n)), dstRow.Slice(x * 4, n * 4), n, plan);
                    x += n;
                }
            }

            return;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(rowBytes);
        try
        {
            Span<byte> row = scratch.AsSpan(0, rowBytes);
            for (int y = 0; y < layout.Height; y++)
            {
                for (int xb = 0; xb < rowBytes; xb += runBytes)
                {
                    int n = Math.Min(runBytes, rowBytes - xb);
                    src.Slice((int)tiles.ByteOffset(layout.Stride, xb, y), n).CopyTo(row.Slice(xb));
                }

                ConvertRun(row, dst.Slice(y * dstStride, layout.Width * 4), layout.Width, plan);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
