using VgpuView.VfioPlanes.Formats;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// A plain, per-pixel reading of drm_fourcc.h and the CPU converter's documented rules, written
/// apart from the shaders: 10-bit keeps the top 8 bits, 5/6/2-bit widen by repeating bits, C8
/// is grey, YUV is BT.601 limited range in integers. The tests pin it with hand-computed pixels.
/// </summary>
internal static class ReferencePixels
{
    public static (byte R, byte G, byte B, byte A) Pixel(uint fourcc, ReadOnlySpan<byte> plane, int stride, int x, int y, bool keepAlpha)
    {
        ReadOnlySpan<byte> row = plane[(y * stride)..];
        switch (fourcc)
        {
            case DrmFourcc.C8:
                return (row[x], row[x], row[x], 255);
            case DrmFourcc.RGB565:
            case DrmFourcc.BGR565:
            {
                int w = row[x * 2] | (row[(x * 2) + 1] << 8);
                int hi = w >> 11, g = (w >> 5) & 63, lo = w & 31;
                byte h8 = (byte)((hi << 3) | (hi >> 2)), l8 = (byte)((lo << 3) | (lo >> 2)), g8 = (byte)((g << 2) | (g >> 4));
                return fourcc == DrmFourcc.RGB565 ? (h8, g8, l8, (byte)255) : (l8, g8, h8, (byte)255);
            }

            case DrmFourcc.RGB888:
                return (row[(x * 3) + 2], row[(x * 3) + 1], row[x * 3], 255);
            case DrmFourcc.BGR888:
                return (row[x * 3], row[(x * 3) + 1], row[(x * 3) + 2], 255);
        }

        if (fourcc is DrmFourcc.YUYV or DrmFourcc.YVYU or DrmFourcc.UYVY or DrmFourcc.VYUY)
        {
            ReadOnlySpan<byte> p = row.Slice((x / 2) * 4, 4);
            (int y0, int y1, int cb, int cr) = fourcc switch
            {
                DrmFourcc.YUYV => (p[0], p[2], p[1], p[3]),
                DrmFourcc.YVYU => (p[0], p[2], p[3], p[1]),
                DrmFourcc.UYVY => (p[1], p[3], p[0], p[2]),
                _ => (p[1], p[3], p[2], p[0]),
            };
            int c = (x % 2 == 0 ? y0 : y1) - 16, d = cb - 128, e = cr - 128;
            return (
                Clamp((298 * c + 409 * e + 128) >> 8),
                Clamp((298 * c - 100 * d - 208 * e + 128) >> 8),
                Clamp((298 * c + 516 * d + 128) >> 8),
                255);
        }

        uint word = BitConverter.ToUInt32(row.Slice(x * 4, 4));
        (byte R, byte G, byte B, byte A) px = fourcc switch
        {
            DrmFourcc.XRGB8888 or DrmFourcc.ARGB8888 => ((byte)(word >> 16), (byte)(word >> 8), (byte)word, (byte)(word >> 24)),
            DrmFourcc.XBGR8888 or DrmFourcc.ABGR8888 => ((byte)word, (byte)(word >> 8), (byte)(word >> 16), (byte)(word >> 24)),
            DrmFourcc.RGBX8888 => ((byte)(word >> 24), (byte)(word >> 16), (byte)(word >> 8), 255),
            DrmFourcc.BGRX8888 => ((byte)(word >> 8), (byte)(word >> 16), (byte)(word >> 24), 255),
            DrmFourcc.XRGB2101010 or DrmFourcc.ARGB2101010 => ((byte)((word >> 22) & 255), (byte)((word >> 12) & 255), (byte)((word >> 2) & 255), (byte)((word >> 30) * 0x55)),
            _ => ((byte)((word >> 2) & 255), (byte)((word >> 12) & 255), (byte)((word >> 22) & 255), (byte)((word >> 30) * 0x55)),
        };
        bool hasAlpha = fourcc is DrmFourcc.ARGB8888 or DrmFourcc.ABGR8888 or DrmFourcc.ARGB2101010 or DrmFourcc.ABGR2101010;
        return (px.R, px.G, px.B, keepAlpha && hasAlpha ? px.A : (byte)255);
    }

    /// <summary>The whole plane as RGBA, with a cursor blended as the CPU compositor documents it.</summary>
    public static byte[] Compose(uint fourcc, ReadOnlySpan<byte> plane, int width, int height, int stride,
        uint cursorFourcc, ReadOnlySpan<byte> cursor, int cw, int ch, int cstride, int cx, int cy)
    {
        byte[] rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                (byte r, byte g, byte b, byte a) = Pixel(fourcc, plane, stride, x, y, keepAlpha: false);
                int sx = x - cx, sy = y - cy;
                if (cw > 0 && sx >= 0 && sy >= 0 && sx < cw && sy < ch)
                {
                    (byte R, byte G, byte B, byte A) s = Pixel(cursorFourcc, cursor, cstride, sx, sy, keepAlpha: true);
                    r = (byte)((s.R * s.A + r * (255 - s.A) + 127) / 255);
                    g = (byte)((s.G * s.A + g * (255 - s.A) + 127) / 255);
                    b = (byte)((s.B * s.A + b * (255 - s.A) + 127) / 255);
                }

                int o = ((y * width) + x) * 4;
                (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = (r, g, b, a);
            }
        }

        return rgba;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
