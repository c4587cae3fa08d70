namespace VgpuView.VfioPlanes.Pixels;

/// <summary>Lays a converted cursor (RGBA8, straight alpha) over a converted primary plane.</summary>
public static class CursorBlender
{
    /// <summary>
    /// Blends <paramref name="cursorRgba"/> with its top-left corner at (<paramref name="x"/>,
    /// <paramref name="y"/>) of <paramref name="dstRgba"/>, clipped at every edge; x and y are signed
    /// (the kernel's x_pos/y_pos read as int32), so a cursor may hang off the left or top.
    /// </summary>
    /// <remarks>
    /// Non-premultiplied "over", exactly, for each of R, G and B with a = the cursor pixel's alpha:
    /// out = (src * a + dst * (255 - a) + 127) / 255, in integers (division truncates).
    /// a = 255 gives src and a = 0 leaves dst. The destination's alpha follows the same rule with
    /// 255 as the source value, out_a = (255 * a + dst_a * (255 - a) + 127) / 255, which is
    /// a + dst_a * (255 - a) / 255 rounded: an opaque screen (the primary as a monitor shows it)
    /// stays opaque, and where the primary's own alpha is kept (--keep-alpha) the cursor covers
    /// transparent pixels instead of vanishing with them. The colour channels are not weighted by
    /// the destination's alpha.
    /// </remarks>
    /// <exception cref="ArgumentException">A stride is below its width, or a buffer is smaller than its size says.</exception>
    public static void Blend(
        Span<byte> dstRgba, int dstWidth, int dstHeight, int dstStride,
        ReadOnlySpan<byte> cursorRgba, int cursorWidth, int cursorHeight, int cursorStride,
        int x, int y)
    {
        CheckImage(dstRgba.Length, dstWidth, dstHeight, dstStride, "dst");
        CheckImage(cursorRgba.Length, cursorWidth, cursorHeight, cursorStride, "cursor");

        // Clip in long: -x and x + cursorWidth leave int range for positions near its ends.
        long left = Math.Max(0L, -(long)x);
        long top = Math.Max(0L, -(long)y);
        long right = Math.Min(cursorWidth, (long)dstWidth - x);
        long bottom = Math.Min(cursorHeight, (long)dstHeight - y);
        if (left >= right || top >= bottom)
        {
            return;
        }

        BlendRows(dstRgba, dstStride, cursorRgba, cursorStride, (int)left, (int)top, (int)right, (int)bottom, x, y);
    }

    private static void BlendRows(
        Span<byte> dstRgba, int dstStride, ReadOnlySpan<byte> cursorRgba, int cursorStride,
        int left, int top, int right, int bottom, int x, int y)
    {
        for (int cy = top; cy < bottom; cy++)
        {
            ReadOnlySpan<byte> s = cursorRgba.Slice((cy * cursorStride) + (left * 4), (right - left) * 4);
            Span<byte> d = dstRgba.Slice(((y + cy) * dstStride) + ((x + left) * 4), (right - left) * 4);
            for (int i = 0; i < s.Length; i += 4)
            {
                int a = s[i + 3];
                if (a == 0)
                {
                    continue;
                }

                if (a == 255)
                {
                    d[i] = s[i];
                    d[i + 1] = s[i + 1];
                    d[i + 2] = s[i + 2];
                    d[i + 3] = 255;
                    continue;
                }

                int na = 255 - a;
                d[i] = (byte)(((s[i] * a) + (d[i] * na) + 127) / 255);
                d[i + 1] = (byte)(((s[i + 1] * a) + (d[i + 1] * na) + 127) / 255);
                d[i + 2] = (byte)(((s[i + 2] * a) + (d[i + 2] * na) + 127) / 255);
                d[i + 3] = (byte)(((255 * a) + (d[i + 3] * na) + 127) / 255);
            }
        }
    }

    private static void CheckImage(int length, int width, int height, int stride, string name)
    {
        if (width < 0 || height < 0)
        {
            throw new ArgumentException($"{name} size {width}x{height} is negative", name + "Width");
        }

        if (stride < (long)width * 4)
        {
            throw new ArgumentException($"{name} stride {stride} is below {width} RGBA pixels ({width * 4L} bytes)", name + "Stride");
        }

        long needed = height == 0 ? 0 : ((long)stride * (height - 1)) + ((long)width * 4);
        if (length < needed)
        {
            throw new ArgumentException($"{name} buffer holds {length} bytes but {width}x{height} with stride {stride} needs {needed}", name + "Rgba");
        }
    }
}
