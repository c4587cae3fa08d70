using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// Writes RGBA pixels (bytes R, G, B, A) in a device format and tiling, as a guest driver lays out
/// its framebuffer. Deliberately plain scalar code, one pixel and one byte at a time: it is the
/// independent counterpart of the capture decoder, and tests compare the two. Each byte's place
/// comes from <see cref="TileLayout.ByteOffset"/>, which its own tests hold to the i915 tilings.
/// </summary>
/// <remarks>
/// Byte orders follow drm_fourcc.h, where every format is a little-endian word: XRGB8888 is
/// "[31:0] x:R:G:B 8:8:8:8 little endian", so its bytes in memory are B, G, R, X. 10-bit channels
/// widen 8-bit values by repeating the top bits (v &lt;&lt; 2 | v &gt;&gt; 6) so that taking the top 8
/// bits gives the value back; 5- and 6-bit channels keep the top bits. Padding (X) bytes are
/// written as zero, so a decoder that reads them as alpha shows a transparent picture.
/// </remarks>
internal static class PixelEncoder
{
    private static readonly uint[] s_encodable =
    [
        DrmFourcc.XRGB8888, DrmFourcc.XBGR8888, DrmFourcc.RGBX8888, DrmFourcc.BGRX8888,
        DrmFourcc.ARGB8888, DrmFourcc.ABGR8888,
        DrmFourcc.XRGB2101010, DrmFourcc.XBGR2101010, DrmFourcc.ARGB2101010, DrmFourcc.ABGR2101010,
        DrmFourcc.RGB565, DrmFourcc.BGR565, DrmFourcc.RGB888, DrmFourcc.BGR888,
        DrmFourcc.YUYV, DrmFourcc.YVYU, DrmFourcc.UYVY, DrmFourcc.VYUY,
    ];

    /// <summary>"XR24, XB24, ..." for messages.</summary>
    internal static string EncodableNames => string.Join(", ", s_encodable.Select(DrmFourcc.ToText));

    internal static bool CanEncode(uint fourcc) => Array.IndexOf(s_encodable, fourcc) >= 0;

    internal static bool IsPacked422(uint fourcc) => fourcc is DrmFourcc.YUYV or DrmFourcc.YVYU or DrmFourcc.UYVY or DrmFourcc.VYUY;

    internal static int BytesPerPixel(uint fourcc) =>
        FormatTable.TryGet(fourcc, out FormatInfo info) ? info.BytesPerPixel : throw new ArgumentException($"unknown format {DrmFourcc.ToText(fourcc)}", nameof(fourcc));

    /// <summary>The tiling of <paramref name="modifier"/>: linear, X or Y (the simulated vGPU draws no Yf).</summary>
    internal static TileLayout Tiles(ulong modifier) =>
        modifier != DrmModifier.I915YfTiled && TileLayout.TryGet(modifier, 4, out TileLayout tiles)
            ? tiles
            : throw new ArgumentException($"modifier {DrmModifier.ToText(modifier)} is not drawn by the simulated vGPU", nameof(modifier));

    /// <summary>The smallest stride for <paramref name="width"/> pixels: a whole number of tiles wide.</summary>
    internal static int StrideFor(uint fourcc, ulong modifier, int width) =>
        (int)Tiles(modifier).StrideFor((long)width * BytesPerPixel(fourcc));

    /// <summary>The plane size: stride times the height rounded up to whole tile rows.</summary>
    internal static long SizeFor(ulong modifier, int stride, int height) => stride * Tiles(modifier).PaddedRows(height);

    /// <summary>
    /// Encodes the rectangle [x0, x1) x [y0, y1) of <paramref name="rgba"/> (width
    /// <paramref name="width"/>, 4 bytes a pixel) into <paramref name="dest"/>. For packed 4:2:2
    /// formats x0 and x1 are widened to even columns.
    /// </summary>
    internal static void EncodeRect(
        ReadOnlySpan<byte> rgba, int width, int x0, int y0, int x1, int y1,
        Span<byte> dest, uint fourcc, ulong modifier, int stride)
    {
        int bpp = BytesPerPixel(fourcc);
        TileLayout tiles = Tiles(modifier);
        Span<byte> pixel = stackalloc byte[4];
        if (IsPacked422(fourcc))
        {
            x0 &= ~1;
            x1 = Math.Min(width, (x1 + 1) & ~1);
            for (int y = y0; y < y1; y++)
            {
                for (int x = x0; x < x1; x += 2)
                {
                    int s = (y * width + x) * 4;
                    Encode422(fourcc, rgba.Slice(s, 8), pixel);
                    for (int i = 0; i < 4; i++)
                    {
                        dest[(int)tiles.ByteOffset(stride, (x * 2) + i, y)] = pixel[i];
                    }
                }
            }

            return;
        }

        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                int s = (y * width + x) * 4;
                EncodePixel(fourcc, rgba[s], rgba[s + 1], rgba[s + 2], rgba[s + 3], pixel);
                for (int i = 0; i < bpp; i++)
                {
                    dest[(int)tiles.ByteOffset(stride, (x * bpp) + i, y)] = pixel[i];
                }
            }
        }
    }

    /// <summary>One pixel's bytes, in memory order, into <paramref name="o"/> (BytesPerPixel of them).</summary>
    internal static void EncodePixel(uint fourcc, byte r, byte g, byte b, byte a, Span<byte> o)
    {
        switch (fourcc)
        {
            case DrmFourcc.XRGB8888: Put32(o, (uint)r << 16 | (uint)g << 8 | b); break;
            case DrmFourcc.XBGR8888: Put32(o, (uint)b << 16 | (uint)g << 8 | r); break;
            case DrmFourcc.RGBX8888: Put32(o, (uint)r << 24 | (uint)g << 16 | (uint)b << 8); break;
            case DrmFourcc.BGRX8888: Put32(o, (uint)b << 24 | (uint)g << 16 | (uint)r << 8); break;
            case DrmFourcc.ARGB8888: Put32(o, (uint)a << 24 | (uint)r << 16 | (uint)g << 8 | b); break;
            case DrmFourcc.ABGR8888: Put32(o, (uint)a << 24 | (uint)b << 16 | (uint)g << 8 | r); break;
            case DrmFourcc.XRGB2101010: Put32(o, Ten(r) << 20 | Ten(g) << 10 | Ten(b)); break;
            case DrmFourcc.XBGR2101010: Put32(o, Ten(b) << 20 | Ten(g) << 10 | Ten(r)); break;
            case DrmFourcc.ARGB2101010: Put32(o, (uint)(a >> 6) << 30 | Ten(r) << 20 | Ten(g) << 10 | Ten(b)); break;
            case DrmFourcc.ABGR2101010: Put32(o, (uint)(a >> 6) << 30 | Ten(b) << 20 | Ten(g) << 10 | Ten(r)); break;
            case DrmFourcc.RGB565: Put16(o, (uint)(r >> 3) << 11 | (uint)(g >> 2) << 5 | (uint)(b >> 3)); break;
            case DrmFourcc.BGR565: Put16(o, (uint)(b >> 3) << 11 | (uint)(g >> 2) << 5 | (uint)(r >> 3)); break;
            case DrmFourcc.RGB888: o[0] = b; o[1] = g; o[2] = r; break;
            case DrmFourcc.BGR888: o[0] = r; o[1] = g; o[2] = b; break;
            default: throw new ArgumentException($"format {DrmFourcc.ToText(fourcc)} is not drawn by the simulated vGPU", nameof(fourcc));
        }
    }

    /// <summary>
    /// Two pixels (8 RGBA bytes) as one packed 4:2:2 macropixel. BT.601 limited range, the
    /// chroma of the pair averaged: Y = 16 + (66 R + 129 G + 25 B) / 256 and so on, rounded.
    /// </summary>
    internal static void Encode422(uint fourcc, ReadOnlySpan<byte> twoPixels, Span<byte> o)
    {
        byte y0 = Luma(twoPixels[0], twoPixels[1], twoPixels[2]);
        byte y1 = Luma(twoPixels[4], twoPixels[5], twoPixels[6]);
        int r = (twoPixels[0] + twoPixels[4] + 1) / 2;
        int g = (twoPixels[1] + twoPixels[5] + 1) / 2;
        int b = (twoPixels[2] + twoPixels[6] + 1) / 2;
        byte u = Clamp(128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8));
        byte v = Clamp(128 + ((112 * r - 94 * g - 18 * b + 128) >> 8));
        switch (fourcc)
        {
            case DrmFourcc.YUYV: o[0] = y0; o[1] = u; o[2] = y1; o[3] = v; break;
            case DrmFourcc.YVYU: o[0] = y0; o[1] = v; o[2] = y1; o[3] = u; break;
            case DrmFourcc.UYVY: o[0] = u; o[1] = y0; o[2] = v; o[3] = y1; break;
            case DrmFourcc.VYUY: o[0] = v; o[1] = y0; o[2] = u; o[3] = y1; break;
            default: throw new ArgumentException($"format {DrmFourcc.ToText(fourcc)} is not packed 4:2:2", nameof(fourcc));
        }
    }

    private static byte Luma(int r, int g, int b) => Clamp(16 + ((66 * r + 129 * g + 25 * b + 128) >> 8));

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private static uint Ten(byte v) => (uint)(v << 2 | v >> 6);

    private static void Put32(Span<byte> o, uint v)
    {
        o[0] = (byte)v;
        o[1] = (byte)(v >> 8);
        o[2] = (byte)(v >> 16);
        o[3] = (byte)(v >> 24);
    }

    private static void Put16(Span<byte> o, uint v)
    {
        o[0] = (byte)v;
        o[1] = (byte)(v >> 8);
    }
}
