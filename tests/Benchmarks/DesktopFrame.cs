namespace VgpuView.Benchmarks;

/// <summary>
/// Draws a reproducible desktop-like screen, by code alone, for the PNG and capture benchmarks:
/// a diagonal gradient wallpaper, overlapping windows with title bars and lines of anti-aliased
/// glyph-like text, a photo-like area of noise over a gradient, and a task bar with icons and a
/// clock. The same size always gives the same bytes.
/// </summary>
public static partial class DesktopFrame
{
    private const int GlyphWidth = 7;
    private const int GlyphHeight = 13;
    private const int CellWidth = 8;
    private const int LineHeight = 16;
    private const ulong VocabularySize = 300;

    /// <summary>
    /// Fills <paramref name="bgrx"/> with <paramref name="width"/> x <paramref name="height"/>
    /// pixels of XRGB8888 (bytes B, G, R, X; X is 0xFF, so the same bytes read as BGRA are opaque),
    /// rows packed at width * 4 bytes.
    /// </summary>
    public static void Fill(Span<byte> bgrx, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (bgrx.Length < (long)width * height * 4)
        {
            throw new ArgumentException($"{bgrx.Length} bytes cannot hold {width}x{height} pixels of 4 bytes", nameof(bgrx));
        }

        var canvas = new Canvas(bgrx, width, height);
        Wallpaper(canvas);

        int taskBar = Math.Max(8, height / 27);
        ulong seed = 0x9E3779B97F4A7C15;

        // Windows back to front, placed and sized in proportion to the screen.
        Window(canvas, width * 4 / 100, height * 5 / 100, width * 45 / 100, height * 55 / 100, 0xF4F4F4, 0x2B579A, 0x202020, ref seed);
        Window(canvas, width * 30 / 100, height * 20 / 100, width * 50 / 100, height * 50 / 100, 0x1E1E1E, 0x3C3C3C, 0xD4D4D4, ref seed);
        Window(canvas, width * 60 / 100, height * 8 / 100, width * 36 / 100, height * 40 / 100, 0xFFFFFF, 0x107C10, 0x333333, ref seed);
        Photo(canvas, width * 8 / 100, height * 60 / 100, width * 20 / 100, height * 22 / 100, ref seed);
        Window(canvas, width * 45 / 100, height * 62 / 100, width * 40 / 100, height * 30 / 100, 0xFFFFF0, 0x8E562E, 0x101010, ref seed);

        TaskBar(canvas, taskBar, ref seed);
    }

    private static void Wallpaper(Canvas c)
    {
        for (int y = 0; y < c.Height; y++)
        {
            for (int x = 0; x < c.Width; x++)
            {
                int r = 20 + (70 * y / c.Height);
                int g = 50 + (90 * x / c.Width);
                int b = 110 + (120 * (x + y) / (c.Width + c.Height));
                c.Set(x, y, (uint)((r << 16) | (g << 8) | b));
            }
        }
    }

    private static void Window(Canvas c, int left, int top, int w, int h, uint body, uint title, uint ink, ref ulong seed)
    {
        const int titleHeight = 24;
        c.Fill(left - 1, top - 1, w + 2, h + 2, 0x505050);
        c.Fill(left, top, w, h, body);
        c.Fill(left, top, w, Math.Min(titleHeight, h), title);

        // Title text, and three buttons at the right of the title bar.
        Text(c, left + 8, top + 5, w / 3, 0xFFFFFF, title, ref seed, oneLine: true);
        for (int i = 1; i <= 3; i++)
        {
            c.Fill(left + w - (i * 22), top + 6, 12, 12, i == 1 ? 0xE81123u : 0xC8C8C8u);
        }

        // Paragraphs of text, with a blank line now and then, and a scroll bar.
        Text(c, left + 10, top + titleHeight + 8, w - 34, ink, body, ref seed, oneLine: false, bottom: top + h - 6);
        c.Fill(left + w - 14, top + titleHeight, 14, h - titleHeight, Blend(body, 0x808080, 40));
        c.Fill(left + w - 12, top + titleHeight + (h / 5), 10, h / 4, Blend(body, 0x808080, 120));
    }

    /// <summary>Lines of words of random glyphs from (x, y), no wider than <paramref name="maxWidth"/>.</summary>
    private static void Text(Canvas c, int x, int y, int maxWidth, uint ink, uint paper, ref ulong seed, bool oneLine, int bottom = 0)
    {
        int lineTop = y;
        do
        {
            int used = 0;
            int lineLength = (int)(Next(ref seed) % (ulong)Math.Max(1, maxWidth / CellWidth));
            if (!oneLine && Next(ref seed) % 7 == 0)
            {
                lineLength = 0; // a blank line between paragraphs
            }

            while (used < lineLength)
            {
                // Words from a vocabulary, as real text repeats its words.
                ulong word = 0xA0761D6478BD642FUL * ((Next(ref seed) % VocabularySize) + 1);
                int length = 2 + (int)(word % 9);
                for (int i = 0; i < length && used < lineLength; i++, used++)
                {
                    Glyph(c, x + (used * CellWidth), lineTop, (int)((word >> (8 + (i * 5))) % 52), ink, paper);
                }

                used++; // the space after a word
            }

            lineTop += LineHeight;
        }
        while (!oneLine && lineTop + LineHeight <= bottom);
    }

    /// <summary>One glyph of a made-up font: strokes with grey edges, as anti-aliased text has.</summary>
    private static void Glyph(Canvas c, int x, int y, int code, uint ink, uint paper)
    {
        // The glyph's shape depends only on its code, so a letter looks the same wherever it is.
        ulong shape = 0xD1B54A32D192ED03UL * (ulong)(code + 1);
        bool tall = code % 5 == 0;
        int top = tall ? 0 : 4;
        for (int gy = top; gy < GlyphHeight; gy++)
        {
            for (int gx = 0; gx < GlyphWidth; gx++)
            {
                int stroke = (gx == 1 || gx == 5) && ((shape >> (gy % 8)) & 1) != 0 ? 255
                    : (gy == top || gy == GlyphHeight - 1 || gy == 8) && ((shape >> (16 + gx)) & 1) != 0 ? 255
                    : (gx == 3 && ((shape >> (32 + (gy % 16))) & 1) != 0) ? 160
                    : 0;
                if (stroke == 0 && (gx == 0 || gx == 2 || gx == 4 || gx == 6) && ((shape >> (48 + gy)) & 1) != 0)
                {
                    stroke = 70; // the anti-aliased fringe of a neighbouring stroke
                }

                if (stroke != 0)
                {
                    c.Set(x + gx, y + gy, Blend(paper, ink, stroke));
                }
            }
        }
    }

    /// <summary>A photo-like area: a smooth colour field with strong per-pixel noise, in a frame.</summary>
    private static void Photo(Canvas c, int left, int top, int w, int h, ref ulong seed)
    {
        c.Fill(left - 4, top - 4, w + 8, h + 8, 0xE0E0E0);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                ulong n = Next(ref seed);
                int r = 90 + (120 * x / Math.Max(1, w)) + (int)(n & 15) - 8;
                int g = 140 - (60 * y / Math.Max(1, h)) + (int)((n >> 8) & 15) - 8;
                int b = 60 + (80 * (x + y) / Math.Max(1, w + h)) + (int)((n >> 16) & 15) - 8;
                c.Set(left + x, top + y, (uint)((Math.Clamp(r, 0, 255) << 16) | (Math.Clamp(g, 0, 255) << 8) | Math.Clamp(b, 0, 255)));
            }
        }
    }

    private static void TaskBar(Canvas c, int barHeight, ref ulong seed)
    {
        int top = c.Height - barHeight;
        c.Fill(0, top, c.Width, barHeight, 0x202428);
        c.Fill(0, top, c.Width, 1, 0x4A4F55);
        int icon = Math.Max(4, barHeight - 12);
        uint[] colours = [0x0078D4, 0xF25022, 0x7FBA00, 0xFFB900, 0x737373, 0x00A4EF, 0xB146C2];
        for (int i = 0; i < colours.Length; i++)
        {
            int x = 8 + (i * (icon + 12));
            c.Fill(x, top + 6, icon, icon, colours[i]);
            c.Fill(x + (icon / 4), top + 6 + (icon / 4), icon / 2, icon / 2, Blend(colours[i], 0xFFFFFF, 90));
        }

        // The clock: a short line of text at the right.
        Text(c, c.Width - 90, top + 3, 80, 0xFFFFFF, 0x202428, ref seed, oneLine: true);
    }

    /// <summary>paper + (ink - paper) * amount / 255 per channel.</summary>
    private static uint Blend(uint paper, uint ink, int amount)
    {
        uint result = 0;
        for (int shift = 0; shift < 24; shift += 8)
        {
            int p = (int)((paper >> shift) & 0xFF);
            int i = (int)((ink >> shift) & 0xFF);
            result |= (uint)(p + ((i - p) * amount / 255)) << shift;
        }

        return result;
    }

    /// <summary>xorshift64*: a fixed sequence, independent of the runtime's Random.</summary>
    private static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>Clipped pixel writes into the frame.</summary>
    private readonly ref struct Canvas(Span<byte> bytes, int width, int height)
    {
        private readonly Span<byte> _bytes = bytes;

        public int Width { get; } = width;

        public int Height { get; } = height;

        /// <summary>Sets pixel (x, y) to 0xRRGGBB, opaque; outside the frame it does nothing.</summary>
        public void Set(int x, int y, uint rgb)
        {
            if ((uint)x < (uint)Width && (uint)y < (uint)Height)
            {
                int i = ((y * Width) + x) * 4;
                _bytes[i] = (byte)rgb;
                _bytes[i + 1] = (byte)(rgb >> 8);
                _bytes[i + 2] = (byte)(rgb >> 16);
                _bytes[i + 3] = 0xFF;
            }
        }

        public void Fill(int left, int top, int w, int h, uint rgb)
        {
            for (int y = Math.Max(0, top); y < Math.Min(Height, top + h); y++)
            {
                for (int x = Math.Max(0, left); x < Math.Min(Width, left + w); x++)
                {
                    Set(x, y, rgb);
                }
            }
        }
    }
}
