// Draws the display's state ("display not enabled", "device gone") over the last picture.
using VgpuView.Viewer.Text;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// Dims a published picture and writes its message in the middle, in the HUD's 8x8 font at
/// twice its size, white on a dark box: what `view` shows in the same states.
/// </summary>
internal sealed class MessageOverlay
{
    private const int Scale = 2;
    private readonly BitmapFont _font = BitmapFont.Load();

    public void Draw(ScreenFrame frame, bool dim)
    {
        Span<byte> rgba = frame.Rgba.AsSpan(0, frame.Stride * frame.Height);
        if (dim)
        {
            // 3/8 of the brightness: the picture stays recognisable behind the message.
            for (int i = 0; i < rgba.Length; i += 4)
            {
                rgba[i] = (byte)((rgba[i] * 3) >> 3);
                rgba[i + 1] = (byte)((rgba[i + 1] * 3) >> 3);
                rgba[i + 2] = (byte)((rgba[i + 2] * 3) >> 3);
            }
        }

        string text = frame.Message ?? string.Empty;
        int cell = BitmapFont.CellSize * Scale;
        int width = Math.Min(frame.Width, (text.Length * cell) + (2 * cell));
        int height = Math.Min(frame.Height, 3 * cell);
        int left = (frame.Width - width) / 2, top = (frame.Height - height) / 2;
        for (int y = top; y < top + height; y++)
        {
            rgba.Slice((y * frame.Stride) + (left * 4), width * 4).Clear();
            for (int x = left; x < left + width; x++)
            {
                rgba[(y * frame.Stride) + (x * 4) + 3] = 255;
            }
        }

        int textLeft = left + cell, textTop = top + cell;
        for (int i = 0; i < text.Length; i++)
        {
            for (int gy = 0; gy < cell; gy++)
            {
                for (int gx = 0; gx < cell; gx++)
                {
                    int x = textLeft + (i * cell) + gx, y = textTop + gy;
                    if (x < frame.Width && y < frame.Height && _font.IsLit(text[i], gx / Scale, gy / Scale))
                    {
                        rgba.Slice((y * frame.Stride) + (x * 4), 3).Fill(255);
                    }
                }
            }
        }
    }
}
