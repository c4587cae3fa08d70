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

/// <summary>The facts about one DRM format that every consumer needs.</summary>
/// <param name="Fourcc">The DRM fourcc.</param>
/// <param name="BytesPerPixel">Bytes per pixel in memory (YUV 4:2:2: 2, averaged over a pixel pair).</param>
/// <param name="HasAlpha">Whether the format carries alpha (AR24 yes, XR24 no).</param>
/// <param name="Layout">The family of conversion it needs.</param>
public readonly record struct FormatInfo(uint Fourcc, int BytesPerPixel, bool HasAlpha, FormatLayout Layout)
{
    public string Name => DrmFourcc.ToText(Fourcc);
}

/// <summary>The one table of supported formats, shared by validation, capture and the GL renderer.</summary>
public static class FormatTable
{
    private static readonly FormatInfo[] s_formats =
    [
        new(DrmFourcc.C8, 1, false, FormatLayout.Indexed8),
        new(DrmFourcc.RGB565, 2, false, FormatLayout.Packed16),
        new(DrmFourcc.BGR565, 2, false, FormatLayout.Packed16),
        new(DrmFourcc.RGB888, 3, false, FormatLayout.Rgb24),
        new(DrmFourcc.BGR888, 3, false, FormatLayout.Rgb24),
        new(DrmFourcc.XRGB8888, 4, false, FormatLayout.Rgb32),
        new(DrmFourcc.XBGR8888, 4, false, FormatLayout.Rgb32),
        new(DrmFourcc.RGBX8888, 4, false, FormatLayout.Rgb32),
        new(DrmFourcc.BGRX8888, 4, false, FormatLayout.Rgb32),
        new(DrmFourcc.ARGB8888, 4, true, FormatLayout.Rgb32),
        new(DrmFourcc.ABGR8888, 4, true, FormatLayout.Rgb32),
        new(DrmFourcc.XRGB2101010, 4, false, FormatLayout.Rgb30),
        new(DrmFourcc.XBGR2101010, 4, false, FormatLayout.Rgb30),
        new(DrmFourcc.ARGB2101010, 4, true, FormatLayout.Rgb30),
        new(DrmFourcc.ABGR2101010, 4, true, FormatLayout.Rgb30),
        new(DrmFourcc.YUYV, 2, false, FormatLayout.Yuv422),
        new(DrmFourcc.YVYU, 2, false, FormatLayout.Yuv422),
        new(DrmFourcc.UYVY, 2, false, FormatLayout.Yuv422),
        new(DrmFourcc.VYUY, 2, false, FormatLayout.Yuv422),
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
