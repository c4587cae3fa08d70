namespace VgpuView.KernelGuest;

/// <summary>
/// The picture the guest draws, defined per pixel so that a check can compute every
/// expected value without the code under test. Each channel follows its own formula, so a
/// swapped channel, a wrong stride or an offset of one pixel shows. The X byte of XRGB8888
/// is written as 0: a viewer that reads it as alpha would produce a transparent picture.
/// </summary>
internal static class Pattern
{
    public static byte Red(int x, int y) => (byte)((x * 3) + (y * 5));

    public static byte Green(int x, int y) => (byte)((x * 7) ^ (y * 13));

    public static byte Blue(int x, int y) => (byte)(x ^ (y * 3) ^ 0x5A);

    /// <summary>Writes the pattern as XRGB8888 (bytes B, G, R, X in memory, drm_fourcc.h) into <paramref name="frame"/>.</summary>
    public static void DrawXrgb8888(Span<byte> frame, int width, int height, int stride)
    {
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = frame.Slice(y * stride, width * 4);
            for (int x = 0; x < width; x++)
            {
                row[(x * 4) + 0] = Blue(x, y);
                row[(x * 4) + 1] = Green(x, y);
                row[(x * 4) + 2] = Red(x, y);
                row[(x * 4) + 3] = 0;
            }
        }
    }

    /// <summary>Null when <paramref name="image"/> is the pattern, opaque, else the first difference.</summary>
    public static string? Compare(PngImage image, int width, int height)
    {
        if (image.Width != width || image.Height != height)
        {
            return $"PNG is {image.Width}x{image.Height}, expected {width}x{height}";
        }

        int wrong = 0;
        string? first = null;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                (byte r, byte g, byte b, byte a) = image.Pixel(x, y);
                if (r != Red(x, y) || g != Green(x, y) || b != Blue(x, y) || a != 255)
                {
                    wrong++;
                    first ??= $"pixel ({x},{y}) is RGBA ({r},{g},{b},{a}), expected ({Red(x, y)},{Green(x, y)},{Blue(x, y)},255)";
                }
            }
        }

        return wrong == 0 ? null : $"{wrong} of {width * height} pixels differ; first: {first}";
    }
}
