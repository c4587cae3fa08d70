namespace VgpuView.VfioPlanes.Formats;

/// <summary>How a format's pixels are laid out, so capture and GL pick a conversion.</summary>
public enum FormatLayout
{
    /// <summary>One byte, an index into a palette the device does not export: shown as grey.</summary>
    Indexed8,

    /// <summary>16-bit packed RGB (5-6-5).</summary>
    Packed16,

    /// <summary>24-bit RGB, three bytes per pixel.</summary>
    Rgb24,

    /// <summary>32-bit with 8 bits per channel.</summary>
    Rgb32,

    /// <summary>32-bit with 10 bits per colour channel and 2 of alpha or padding.</summary>
    Rgb30,

    /// <summary>Packed 4:2:2 YUV: two pixels in four bytes.</summary>
    Yuv422,
}

/// <summary>One channel's place in a little-endian pixel word: bits [Shift + Bits - 1 : Shift]; Bits 0 = absent.</summary>
public readonly record struct ChannelField(byte Shift, byte Bits)
{
    public bool Present => Bits != 0;
}

/// <summary>
/// Where red, green, blue and alpha sit in an RGB format's pixel word, read little-endian from
/// BytesPerPixel bytes, as drm_fourcc.h describes it ("[31:0] x:R:G:B 8:8:8:8 little endian").
/// Padding ('x') is not alpha: <see cref="Alpha"/> is absent for the X formats.
/// </summary>
public readonly record struct RgbFields(ChannelField Red, ChannelField Green, ChannelField Blue, ChannelField Alpha);

/// <summary>Byte offsets of Y0, Cb (U), Y1 and Cr (V) within the four bytes of a packed 4:2:2 pixel pair.</summary>
public readonly record struct YuvOrder(byte Y0, byte Cb, byte Y1, byte Cr);

/// <summary>The facts about one DRM format that every consumer needs.</summary>
/// <param name="Fourcc">The DRM fourcc.</param>
/// <param name="BytesPerPixel">Bytes per pixel in memory (YUV 4:2:2: 2, averaged over a pixel pair).</param>
/// <param name="HasAlpha">Whether the format carries alpha (AR24 yes, XR24 no).</param>
/// <param name="Layout">The family of conversion it needs.</param>
public readonly record struct FormatInfo(uint Fourcc, int BytesPerPixel, bool HasAlpha, FormatLayout Layout)
{
    public string Name => DrmFourcc.ToText(Fourcc);

    /// <summary>Channel positions for the RGB layouts (Packed16, Rgb24, Rgb32, Rgb30); default otherwise.</summary>
    public RgbFields Rgb { get; init; }

    /// <summary>Byte order of a pixel pair for <see cref="FormatLayout.Yuv422"/>; default otherwise.</summary>
    public YuvOrder Yuv { get; init; }

    /// <summary>
    /// The smallest run of bytes that holds whole pixels: BytesPerPixel, or 4 for a 4:2:2 pair.
    /// A row of width w takes ceil(w / pixels per group) groups.
    /// </summary>
    public int GroupBytes => Layout == FormatLayout.Yuv422 ? 4 : BytesPerPixel;

    /// <summary>Bytes one row of <paramref name="width"/> pixels occupies; an odd-width 4:2:2 row ends with a whole pair.</summary>
    public long RowBytes(int width) => Layout == FormatLayout.Yuv422 ? ((width + 1L) / 2) * 4 : (long)width * BytesPerPixel;

    /// <summary>How <see cref="RowBytes"/> comes about, for messages: "width 640 × 4 bytes of XR24".</summary>
    public string DescribeRow(int width) => Layout == FormatLayout.Yuv422
        ? $"width {width} as {(width + 1L) / 2} pixel pairs × 4 bytes of {Name} = {RowBytes(width)}"
        : $"width {width} × {BytesPerPixel} bytes of {Name}";
}

/// <summary>The one table of supported formats, shared by validation, capture and the GL renderer.</summary>
public static class FormatTable
{
    // Channel positions from drm_fourcc.h; each comment is the header's description of the word.
    private static readonly FormatInfo[] s_formats =
    [
        new(DrmFourcc.C8, 1, false, FormatLayout.Indexed8),

        // [15:0] R:G:B 5:6:5 little endian
        new(DrmFourcc.RGB565, 2, false, FormatLayout.Packed16) { Rgb = new(new(11, 5), new(5, 6), new(0, 5), default) },

        // [15:0] B:G:R 5:6:5 little endian
        new(DrmFourcc.BGR565, 2, false, FormatLayout.Packed16) { Rgb = new(new(0, 5), new(5, 6), new(11, 5), default) },

        // [23:0] R:G:B little endian: bytes B, G, R
        new(DrmFourcc.RGB888, 3, false, FormatLayout.Rgb24) { Rgb = new(new(16, 8), new(8, 8), new(0, 8), default) },

        // [23:0] B:G:R little endian: bytes R, G, B
        new(DrmFourcc.BGR888, 3, false, FormatLayout.Rgb24) { Rgb = new(new(0, 8), new(8, 8), new(16, 8), default) },

        // [31:0] x:R:G:B 8:8:8:8 little endian: bytes B, G, R, x
        new(DrmFourcc.XRGB8888, 4, false, FormatLayout.Rgb32) { Rgb = new(new(16, 8), new(8, 8), new(0, 8), default) },

        // [31:0] x:B:G:R: bytes R, G, B, x
        new(DrmFourcc.XBGR8888, 4, false, FormatLayout.Rgb32) { Rgb = new(new(0, 8), new(8, 8), new(16, 8), default) },

        // [31:0] R:G:B:x: bytes x, B, G, R
        new(DrmFourcc.RGBX8888, 4, false, FormatLayout.Rgb32) { Rgb = new(new(24, 8), new(16, 8), new(8, 8), default) },

        // [31:0] B:G:R:x: bytes x, R, G, B
        new(DrmFourcc.BGRX8888, 4, false, FormatLayout.Rgb32) { Rgb = new(new(8, 8), new(16, 8), new(24, 8), default) },

        // [31:0] A:R:G:B: bytes B, G, R, A
        new(DrmFourcc.ARGB8888, 4, true, FormatLayout.Rgb32) { Rgb = new(new(16, 8), new(8, 8), new(0, 8), new(24, 8)) },

        // [31:0] A:B:G:R: bytes R, G, B, A
        new(DrmFourcc.ABGR8888, 4, true, FormatLayout.Rgb32) { Rgb = new(new(0, 8), new(8, 8), new(16, 8), new(24, 8)) },

        // [31:0] x:R:G:B 2:10:10:10 little endian
        new(DrmFourcc.XRGB2101010, 4, false, FormatLayout.Rgb30) { Rgb = new(new(20, 10), new(10, 10), new(0, 10), default) },

        // [31:0] x:B:G:R 2:10:10:10 little endian
        new(DrmFourcc.XBGR2101010, 4, false, FormatLayout.Rgb30) { Rgb = new(new(0, 10), new(10, 10), new(20, 10), default) },

        // [31:0] A:R:G:B 2:10:10:10 little endian
        new(DrmFourcc.ARGB2101010, 4, true, FormatLayout.Rgb30) { Rgb = new(new(20, 10), new(10, 10), new(0, 10), new(30, 2)) },

        // [31:0] A:B:G:R 2:10:10:10 little endian
        new(DrmFourcc.ABGR2101010, 4, true, FormatLayout.Rgb30) { Rgb = new(new(0, 10), new(10, 10), new(20, 10), new(30, 2)) },

        // [31:0] Cr0:Y1:Cb0:Y0 8:8:8:8 little endian: bytes Y0, Cb, Y1, Cr
        new(DrmFourcc.YUYV, 2, false, FormatLayout.Yuv422) { Yuv = new(0, 1, 2, 3) },

        // [31:0] Cb0:Y1:Cr0:Y0: bytes Y0, Cr, Y1, Cb
        new(DrmFourcc.YVYU, 2, false, FormatLayout.Yuv422) { Yuv = new(0, 3, 2, 1) },

        // [31:0] Y1:Cr0:Y0:Cb0: bytes Cb, Y0, Cr, Y1
        new(DrmFourcc.UYVY, 2, false, FormatLayout.Yuv422) { Yuv = new(1, 0, 3, 2) },

        // [31:0] Y1:Cb0:Y0:Cr0: bytes Cr, Y0, Cb, Y1
        new(DrmFourcc.VYUY, 2, false, FormatLayout.Yuv422) { Yuv = new(1, 2, 3, 0) },
    ];

    public static ReadOnlySpan<FormatInfo> All => s_formats;

    public static bool TryGet(uint fourcc, out FormatInfo info)
    {
        foreach (FormatInfo f in s_formats)
        {
            if (f.Fourcc == fourcc)
            {
                info = f;
                return true;
            }
        }

        info = default;
        return false;
    }
}
