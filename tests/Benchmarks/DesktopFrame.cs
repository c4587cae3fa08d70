// A desktop-like RGBA frame drawn by code, for benchmarks of encoders and compressors.
namespace VgpuView.Benchmarks;

/// <summary>
/// What a guest's screen often looks like: a vertical gradient wallpaper, overlapping windows
/// (title bar, white body, lines of glyph-sized text in dark ink), a noisy photo-like area, and a
/// task bar with buttons. Deterministic for a seed. Text is 8x16 cells of random 1-bit glyph
/// shapes, which compress like real text (few colours, short runs) without a font.
/// </summary>
public static class DesktopFrame
{
    public const int CellWidth = 8;
    public const int CellHeight = 16;

    /// <summary>RGBA8, Width * 4 bytes a row.</summary>
    public static byte[] Draw(int width, int height, int seed = 1)
    {
        byte[] rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            // Wallpaper: a blue-to-teal gradient.
            byte r = (byte)(20 + (40 * y / height)), g = (byte)(60 + (120 * y / height)), b = (byte)(140 + (60 * y / height));
            for (int x = 0; x < width; x++)
            {
                Set(rgba, width, x, y, r, g, b);
            }
        }

        var random = new Random(seed);
        (int X, int Y, int W, int H)[] windows =
        [
            (width / 16, height / 12, width / 2, height / 2),
            (width / 3, height / 4, width / 2, height / 2),
            (width / 5, height / 2, width * 2 / 5, height / 3),
            (width * 3 / 5, height / 10, width / 3, height / 3),
        ];
        foreach ((int wx, int wy, int ww, int wh) in windows)
        {
            Window(rgba, width, height, wx, wy, ww, wh, random);
        }

        // A photo-like area: noise over a soft colour, inside the last window.
        (int px, int py, int pw, int ph) = (windows[3].X + 16, windows[3].Y + 40, windows[3].W / 2, windows[3].H / 2);
        for (int y = py; y < Math.Min(height, py + ph); y++)
        {
            for (int x = px; x < Math.Min(width, px + pw); x++)
            {
                Set(rgba, width, x, y, (byte)random.Next(120, 256), (byte)random.Next(60, 200), (byte)random.Next(0, 140));
            }
        }

        // The task bar: dark grey, a few lighter buttons with a label each.
        int barTop = height - 40;
        Rect(rgba, width, height, 0, barTop, width, 40, 45, 45, 48);
        for (int i = 0; i < 6; i++)
        {
            Rect(rgba, width, height, 8 + (i * 170), barTop + 6, 160, 28, 70, 70, 76);
            Text(rgba, width, height, 16 + (i * 170), barTop + 12, 12, random, 230, 230, 230);
        }

        return rgba;
    }

    /// <summary>Writes one line of new text (glyph cells) at (x, y): the typical small update.</summary>
    public static void TextLine(byte[] rgba, int width, int height, int x, int y, int columns, int seed)
    {
        Rect(rgba, width, height, x, y, columns * CellWidth, CellHeight, 255, 255, 255);
        Text(rgba, width, height, x, y, columns, new Random(seed), 20, 20, 20);
    }

    /// <summary>The frame as an XR24 plane (B, G, R, X bytes), as a guest would lay it out.</summary>
    public static byte[] ToXr24(byte[] rgba)
    {
        byte[] bgrx = new byte[rgba.Length];
        for (int i = 0; i < rgba.Length; i += 4)
        {
            bgrx[i] = rgba[i + 2];
            bgrx[i + 1] = rgba[i + 1];
            bgrx[i + 2] = rgba[i];
            bgrx[i + 3] = 0xFF;
        }

        return bgrx;
    }

    private static void Window(byte[] rgba, int width, int height, int x, int y, int w, int h, Random random)
    {
        Rect(rgba, width, height, x - 1, y - 1, w + 2, h + 2, 90, 90, 90);
        Rect(rgba, width, height, x, y, w, 24, 52, 101, 164);
        Text(rgba, width, height, x + 8, y + 4, Math.Min(30, (w - 16) / CellWidth), random, 255, 255, 255);
        Rect(rgba, width, height, x, y + 24, w, h - 24, 255, 255, 255);
        for (int line = y + 32; line + CellHeight < y + h - 8; line += CellHeight + 4)
        {
            Text(rgba, width, height, x + 8, line, random.Next((w - 16) / CellWidth / 3, (w - 16) / CellWidth), random, 20, 20, 20);
        }
    }

    private static void Text(byte[] rgba, int width, int height, int x, int y, int columns, Random random, byte r, byte g, byte b)
    {
        for (int c = 0; c < columns; c++)
        {
            if (random.Next(7) == 0)
            {
                continue; // a space
            }

            // A glyph: a few vertical and horizontal strokes inside the cell's inner 6x11 pixels.
            int strokes = random.Next(2, 5);
            for (int s = 0; s < strokes; s++)
            {
                bool vertical = random.Next(2) == 0;
                int sx = x + (c * CellWidth) + 1 + random.Next(vertical ? 6 : 2);
                int sy = y + 3 + random.Next(vertical ? 2 : 11);
                Rect(rgba, width, height, sx, sy, vertical ? 1 : random.Next(2, 6), vertical ? random.Next(5, 10) : 1, r, g, b);
            }
        }
    }

    private static void Rect(byte[] rgba, int width, int height, int x, int y, int w, int h, byte r, byte g, byte b)
    {
        for (int row = Math.Max(0, y); row < Math.Min(height, y + h); row++)
        {
            for (int col = Math.Max(0, x); col < Math.Min(width, x + w); col++)
            {
                Set(rgba, width, col, row, r, g, b);
            }
        }
    }

    private static void Set(byte[] rgba, int width, int x, int y, byte r, byte g, byte b)
    {
        int at = ((y * width) + x) * 4;
        rgba[at] = r;
        rgba[at + 1] = g;
        rgba[at + 2] = b;
        rgba[at + 3] = 255;
    }
}
