// A session's pixels: a rectangle in the client's format (the cursor composed where it must be), and the Cursor pseudo-encoding.
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

internal sealed partial class RfbSession
{
    // The rectangle's pixel values in the client's format, the cursor composed for clients that draw none.
    private Span<uint> Pixels(ScreenFrame frame, in RfbPixelFormat format, int x, int y, int width, int height)
    {
        int count = width * height;
        if (_values.Length < count)
        {
            _values = new uint[count];
        }

        Span<uint> values = _values.AsSpan(0, count);
        bool compose = !_wantsCursor && frame.CursorShown && frame.CursorWidth > 0 &&
            frame.CursorX < x + width && frame.CursorX + frame.CursorWidth > x &&
            frame.CursorY < y + height && frame.CursorY + frame.CursorHeight > y;
        if (!compose)
        {
            for (int row = 0; row < height; row++)
            {
                format.ToValues(frame.Rgba.AsSpan(((y + row) * frame.Stride) + (x * 4), width * 4), values.Slice(row * width, width));
            }

            return values;
        }

        if (_rgba.Length < count * 4)
        {
            _rgba = new byte[count * 4];
        }

        Span<byte> rgba = _rgba.AsSpan(0, count * 4);
        for (int row = 0; row < height; row++)
        {
            frame.Rgba.AsSpan(((y + row) * frame.Stride) + (x * 4), width * 4).CopyTo(rgba.Slice(row * width * 4, width * 4));
        }

        CursorBlender.Blend(rgba, width, height, width * 4, frame.CursorRgba.AsSpan(0, frame.CursorWidth * frame.CursorHeight * 4),
            frame.CursorWidth, frame.CursorHeight, frame.CursorWidth * 4, frame.CursorX - x, frame.CursorY - y);
        format.ToValues(rgba, values);
        return values;
    }

    // rfbproto 7.8.1: the cursor image in the client's format, then a 1-bit mask, rows padded to bytes;
    // the rectangle's x and y are the hotspot. A hidden cursor is sent as a 1x1 transparent one.
    private void WriteCursor(ScreenFrame frame, in RfbPixelFormat format)
    {
        int width = frame.CursorShown ? frame.CursorWidth : 1, height = frame.CursorShown ? frame.CursorHeight : 1;
        _out.RectHeader(frame.CursorShown ? frame.HotX : 0, frame.CursorShown ? frame.HotY : 0, width, height, RfbEncoding.Cursor);
        int count = width * height;
        if (_values.Length < count)
        {
            _values = new uint[count];
        }

        Span<uint> values = _values.AsSpan(0, count);
        int rowBytes = (width + 7) / 8;
        if (!frame.CursorShown)
        {
            values.Clear();
            RawEncoder.Encode(_out, values, format);
            _out.U8(0);
            return;
        }

        ReadOnlySpan<byte> rgba = frame.CursorRgba.AsSpan(0, count * 4);
        format.ToValues(rgba, values);
        RawEncoder.Encode(_out, values, format);
        Span<byte> mask = _out.GetSpan(rowBytes * height);
        mask.Clear();
        ReadOnlySpan<uint> pixels = MemoryMarshal.Cast<byte, uint>(rgba);
        for (int row = 0; row < height; row++)
        {
            for (int col = 0; col < width; col++)
            {
                // Alpha from half up is drawn: the mask is one bit, the guest's cursor has 8.
                if ((pixels[(row * width) + col] >> 24) >= 128)
                {
                    mask[(row * rowBytes) + (col / 8)] |= (byte)(0x80 >> (col % 8));
                }
            }
        }

        _out.Advance(rowBytes * height);
    }
}
