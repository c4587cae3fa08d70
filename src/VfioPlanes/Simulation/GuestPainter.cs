namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The guest's drawing: renders a frame of the script and encodes into a buffer only what
/// changed since the frame last drawn there. Holds one RGBA scratch picture and the background
/// of the current mode, reused from frame to frame so that drawing allocates nothing.
/// </summary>
internal sealed class GuestPainter
{
    private byte[] _scratch = [];
    private byte[] _background = [];
    private SimMode _backgroundMode;

    /// <summary>Draws frame <paramref name="f"/> into <paramref name="b"/>, remembering in it what was drawn.</summary>
    public void Draw(in GuestFrame f, SimBuffer b)
    {
        long last = b.LastDrawnFrame;
        int boxX = b.LastBoxX, boxY = b.LastBoxY;
        DrawInto(f, b.Pixels, b.Fourcc, b.Modifier, b.Stride, ref last, ref boxX, ref boxY);
        b.LastDrawnFrame = last;
        b.LastBoxX = boxX;
        b.LastBoxY = boxY;
    }

    /// <summary>
    /// Renders frame <paramref name="f"/> and encodes into <paramref name="dest"/> what differs from
    /// the frame last drawn there (the box's old and new places and the counter), or all of it the
    /// first time: the background of a buffer never changes within its mode.
    /// </summary>
    public void DrawInto(in GuestFrame f, Span<byte> dest, uint fourcc, ulong modifier, int stride, ref long lastDrawn, ref int lastBoxX, ref int lastBoxY)
    {
        int w = f.Mode.Width, h = f.Mode.Height;
        if (_scratch.Length < w * h * 4)
        {
            _scratch = new byte[w * h * 4];
            _background = new byte[w * h * 4];
            _backgroundMode = default;
        }

        Span<byte> rgba = _scratch.AsSpan(0, w * h * 4);
        Span<byte> background = _background.AsSpan(0, w * h * 4);
        if (_backgroundMode != f.Mode)
        {
            TestPattern.RenderBackground(f.Mode, background);
            _backgroundMode = f.Mode;
        }

        if (lastDrawn < 0)
        {
            background.CopyTo(rgba);
            TestPattern.RenderOverlays(f, rgba);
            PixelEncoder.EncodeRect(rgba, w, 0, 0, w, h, dest, fourcc, modifier, stride);
        }
        else
        {
            // Only the two rectangles are encoded, so only they need to be exact in the scratch
            // copy: background first, then the overlays in the order the full picture has them.
            // Even columns at both ends: packed 4:2:2 formats encode pixel pairs.
            int x0 = Math.Min(lastBoxX, f.BoxX) & ~1, y0 = Math.Min(lastBoxY, f.BoxY);
            int x1 = Math.Min((Math.Max(lastBoxX, f.BoxX) + GuestScript.BoxSize + 1) & ~1, w);
            int y1 = Math.Min(Math.Max(lastBoxY, f.BoxY) + GuestScript.BoxSize, h);
            (int cx, int cy, int cw, int ch) = TestPattern.CounterRect;
            CopyRect(background, rgba, w, x0, y0, x1, y1);
            CopyRect(background, rgba, w, cx, cy, cx + cw, cy + ch);
            TestPattern.RenderOverlays(f, rgba);
            PixelEncoder.EncodeRect(rgba, w, x0, y0, x1, y1, dest, fourcc, modifier, stride);
            PixelEncoder.EncodeRect(rgba, w, cx, cy, cx + cw, cy + ch, dest, fourcc, modifier, stride);
        }

        lastDrawn = f.Frame;
        lastBoxX = f.BoxX;
        lastBoxY = f.BoxY;
    }

    private static void CopyRect(ReadOnlySpan<byte> from, Span<byte> to, int width, int x0, int y0, int x1, int y1)
    {
        for (int y = y0; y < y1; y++)
        {
            int start = (y * width + x0) * 4;
            from.Slice(start, (x1 - x0) * 4).CopyTo(to.Slice(start, (x1 - x0) * 4));
        }
    }
}
