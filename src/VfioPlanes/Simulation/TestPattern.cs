namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The pixels the simulated guest draws, as RGBA bytes (R, G, B, A), before any device encoding.
/// This is the "truth" capture tests compare against.
/// </summary>
internal static class TestPattern
{
    internal const int DigitCount = 8;
    internal const int DigitScale = 4;
    internal const int CounterLeft = 8;
    internal const int CounterTop = 8;

    // 5x7 digits 0-9, one byte a row, bit 4 the leftmost column.
    private static ReadOnlySpan<byte> Font =>
    [
        0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E, // 0
        0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E, // 1
        0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F, // 2
        0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E, // 3
        0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02, // 4
        0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E, // 5
        0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E, // 6
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, // 7
        0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E, // 8
        0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C, // 9
    ];

    // White, yellow, cyan, green, magenta, red, blue, black: every channel 0 or 255, so the bars
    // survive every RGB format unchanged.
    private static ReadOnlySpan<byte> Bars =>
    [
        255, 255, 255, 255, 255, 0, 0, 255, 255, 0, 255, 0,
        255, 0, 255, 255, 0, 0, 0, 0, 255, 0, 0, 0,
    ];

    /// <summary>Box colours per page-flip buffer: chosen to be exact in RGB565 too (130 = 32 &lt;&lt; 2 | 32 &gt;&gt; 4).</summary>
    internal static (byte R, byte G, byte B) BoxColour(int slot) => slot == 0 ? ((byte)255, (byte)130, (byte)0) : ((byte)0, (byte)130, (byte)255);

    /// <summary>The rectangle the frame counter covers: a black plate with the digits in white.</summary>
    internal static (int X, int Y, int Width, int Height) CounterRect =>
        (CounterLeft, CounterTop, DigitCount * 6 * DigitScale + 2 * DigitScale, 9 * DigitScale);

    /// <summary>Draws <paramref name="f"/>'s primary plane into <paramref name="rgba"/> (f.Mode.Width * f.Mode.Height * 4 bytes).</summary>
    internal static void RenderPrimary(in GuestFrame f, Span<byte> rgba)
    {
        RenderBackground(f.Mode, rgba);
        RenderOverlays(f, rgba);
    }

    /// <summary>The part of the picture that depends only on the mode: colour bars over a grey ramp.</summary>
    internal static void RenderBackground(SimMode mode, Span<byte> rgba)
    {
        int w = mode.Width, h = mode.Height;
        if (rgba.Length < w * h * 4)
        {
            throw new ArgumentException($"RGBA buffer of {rgba.Length} bytes is below {w}x{h}x4", nameof(rgba));
        }

        // The background is the same in every row of each band: draw one row, copy it down.
        int rowBytes = w * 4;
        int barsBottom = h * 2 / 3;
        Span<byte> barRow = rgba[..rowBytes];
        for (int x = 0; x < w; x++)
        {
            int bar = x * 8 / w;
            barRow[x * 4] = Bars[bar * 3];
            barRow[x * 4 + 1] = Bars[bar * 3 + 1];
            barRow[x * 4 + 2] = Bars[bar * 3 + 2];
            barRow[x * 4 + 3] = 255;
        }

        for (int y = 1; y < barsBottom; y++)
        {
            barRow.CopyTo(rgba.Slice(y * rowBytes, rowBytes));
        }

        Span<byte> rampRow = rgba.Slice(barsBottom * rowBytes, rowBytes);
        for (int x = 0; x < w; x++)
        {
            byte v = (byte)(x * 255 / (w - 1));
            rampRow[x * 4] = v;
            rampRow[x * 4 + 1] = v;
            rampRow[x * 4 + 2] = v;
            rampRow[x * 4 + 3] = 255;
        }

        for (int y = barsBottom + 1; y < h; y++)
        {
            rampRow.CopyTo(rgba.Slice(y * rowBytes, rowBytes));
        }
    }

    /// <summary>What changes from frame to frame, drawn over the background: the moving box, then the counter.</summary>
    internal static void RenderOverlays(in GuestFrame f, Span<byte> rgba)
    {
        int w = f.Mode.Width;
        (byte br, byte bg, byte bb) = BoxColour(f.Slot);
        FillRect(rgba, w, f.BoxX, f.BoxY, GuestScript.BoxSize, GuestScript.BoxSize, br, bg, bb);

        (int cx, int cy, int cw, int ch) = CounterRect;
        FillRect(rgba, w, cx, cy, cw, ch, 0, 0, 0);
        long n = f.Frame;
        for (int i = DigitCount - 1; i >= 0; i--)
        {
            int digit = (int)(n % 10);
            n /= 10;
            DrawDigit(rgba, w, cx + DigitScale + i * 6 * DigitScale, cy + DigitScale, digit);
        }
    }

    /// <summary>Hotspot of cursor shape 0 or 1: where the arrow's tip is in the 64x64 image.</summary>
    internal static (int X, int Y) CursorHotspot(int shape) => shape == 0 ? (1, 1) : (17, 17);

    /// <summary>
    /// Draws cursor <paramref name="shape"/> (64x64) into <paramref name="rgba"/>: a white arrow with a
    /// black outline whose tip is at the hotspot, a half-transparent black shadow two pixels down
    /// and right, transparent elsewhere. Shadow pixels are (0, 0, 0, 128): the same whether a
    /// consumer reads the cursor as premultiplied or straight alpha.
    /// </summary>
    internal static void RenderCursor(int shape, Span<byte> rgba)
    {
        const int n = GuestScript.CursorSize;
        if (rgba.Length < n * n * 4)
        {
            throw new ArgumentException($"RGBA buffer of {rgba.Length} bytes is below {n}x{n}x4", nameof(rgba));
        }

        rgba[..(n * n * 4)].Clear();
        (int tx, int ty) = CursorHotspot(shape);
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                Span<byte> p = rgba.Slice((y * n + x) * 4, 4);
                int inside = ArrowPixel(x - tx, y - ty);
                if (inside == 2)
                {
                    p[0] = 255;
                    p[1] = 255;
                    p[2] = 255;
                    p[3] = 255;
                }
                else if (inside == 1)
                {
                    p[3] = 255;
                }
                else if (ArrowPixel(x - tx - 2, y - ty - 2) != 0)
                {
                    p[3] = 128;
                }
            }
        }
    }

    // 0 outside the arrow, 1 on its outline, 2 inside. (dx, dy) from the tip: a right triangle
    // 28 rows tall with its vertical edge under the tip, and a stem below it.
    private static int ArrowPixel(int dx, int dy)
    {
        if (dy is >= 0 and < 28 && dx >= 0 && dx <= dy)
        {
            return dx == 0 || dx == dy || dy == 27 ? 1 : 2;
        }

        if (dy is >= 28 and < 40 && dx is >= 8 and < 14)
        {
            return dx == 8 || dx == 13 || dy == 39 ? 1 : 2;
        }

        return 0;
    }

    private static void FillRect(Span<byte> rgba, int w, int x0, int y0, int width, int height, byte r, byte g, byte b)
    {
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                int i = (y * w + x) * 4;
                rgba[i] = r;
                rgba[i + 1] = g;
                rgba[i + 2] = b;
                rgba[i + 3] = 255;
            }
        }
    }

    private static void DrawDigit(Span<byte> rgba, int w, int left, int top, int digit)
    {
        for (int row = 0; row < 7; row++)
        {
            byte bits = Font[digit * 7 + row];
            for (int col = 0; col < 5; col++)
            {
                if ((bits & (0x10 >> col)) != 0)
                {
                    FillRect(rgba, w, left + col * DigitScale, top + row * DigitScale, DigitScale, DigitScale, 255, 255, 255);
                }
            }
        }
    }
}
