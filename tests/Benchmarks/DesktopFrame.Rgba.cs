// The desktop-like frame as RGBA bytes, and the one-line text edit that is a typical small update.
namespace VgpuView.Benchmarks;

public static partial class DesktopFrame
{
    /// <summary>The height of one line of <see cref="TextLine"/>'s text cells.</summary>
    public const int TextLineHeight = 16;

    /// <summary>The frame <see cref="Fill"/> draws, as RGBA8 (width * 4 bytes a row, alpha 255).</summary>
    public static byte[] Draw(int width, int height)
    {
        byte[] pixels = new byte[width * height * 4];
        Fill(pixels, width, height);
        SwapRedBlue(pixels);
        return pixels;
    }

    /// <summary>
    /// Writes one line of new text at (x, y) into an RGBA frame: a white strip of
    /// <paramref name="columns"/> 8x16 cells with dark glyph strokes, deterministic for a seed.
    /// </summary>
    public static void TextLine(byte[] rgba, int width, int height, int x, int y, int columns, int seed)
    {
        Rect(rgba, width, height, x, y, columns * CellWidth, TextLineHeight, 255);
        var random = new Random(seed);
        for (int c = 0; c < columns; c++)
        {
            if (random.Next(7) == 0)
            {
                continue; // a space
            }

            // A glyph: a few strokes inside the cell's inner 6x11 pixels.
            int strokes = random.Next(2, 5);
            for (int s = 0; s < strokes; s++)
            {
                bool vertical = random.Next(2) == 0;
                int sx = x + (c * CellWidth) + 1 + random.Next(vertical ? 6 : 2);
                int sy = y + 3 + random.Next(vertical ? 2 : 11);
                Rect(rgba, width, height, sx, sy, vertical ? 1 : random.Next(2, 6), vertical ? random.Next(5, 10) : 1, 20);
            }
        }
    }

    /// <summary>An RGBA frame as an XR24 plane (bytes B, G, R, X), as a guest lays it out.</summary>
    public static byte[] ToXr24(byte[] rgba)
    {
        byte[] bgrx = (byte[])rgba.Clone();
        SwapRedBlue(bgrx);
        return bgrx;
    }

    private static void SwapRedBlue(byte[] pixels)
    {
        for (int i = 0; i < pixels.Length; i += 4)
        {
            (pixels[i], pixels[i + 2]) = (pixels[i + 2], pixels[i]);
            pixels[i + 3] = 0xFF;
        }
    }

    private static void Rect(byte[] rgba, int width, int height, int x, int y, int w, int h, byte grey)
    {
        for (int row = Math.Max(0, y); row < Math.Min(height, y + h); row++)
        {
            int start = ((row * width) + Math.Max(0, x)) * 4;
            int end = ((row * width) + Math.Min(width, x + w)) * 4;
            for (int at = start; at < end; at += 4)
            {
                rgba[at] = rgba[at + 1] = rgba[at + 2] = grey;
                rgba[at + 3] = 255;
            }
        }
    }
}
