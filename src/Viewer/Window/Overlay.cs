using VgpuView.Viewer.Rendering;

namespace VgpuView.Viewer.Window;

/// <summary>
/// Draws over the scaled guest image in the window's default framebuffer: translucent rectangles
/// (dimming) and text in the bitmap font (messages, HUD). A GL object: created and disposed on the
/// render thread with the window's context current. Text goes through one texture of character
/// codes, refilled only when the text changes, so a steady frame allocates nothing.
/// </summary>
internal sealed class Overlay : IDisposable
{
    /// <summary>The largest text grid, in characters.</summary>
    public const int MaxColumns = 120;
    public const int MaxRows = 24;

    /// <summary>A text cell's height in glyph pixels: the 8 rows of the glyph and 2 between lines (overlay.frag).</summary>
    public const int LineHeight = 10;

    private readonly ShaderProgram _program;
    private readonly int _target, _rect, _flipY, _textMode, _scale, _color, _background, _text, _font;
    private readonly byte[] _codes = new byte[MaxColumns * MaxRows];
    private readonly byte[] _uploaded = new byte[MaxColumns * MaxRows];
    private uint _fontTexture;
    private uint _textTexture;
    private uint _vertexArray;

    public Overlay(BitmapFont font)
    {
        _program = new ShaderProgram("plane.vert", "overlay.frag");
        _target = _program.Uniform("u_target");
        _rect = _program.Uniform("u_rect");
        _flipY = _program.Uniform("u_flip_y");
        _textMode = _program.Uniform("u_text_mode");
        _scale = _program.Uniform("u_scale");
        _color = _program.Uniform("u_color");
        _background = _program.Uniform("u_background");
        _text = _program.Uniform("u_text");
        _font = _program.Uniform("u_font");

        _fontTexture = NewTexture(BitmapFont.CellSize, BitmapFont.CellSize * BitmapFont.GlyphCount);
        Interop.Gl.TexSubImage2D(Interop.Gl.GL_TEXTURE_2D, 0, 0, BitmapFont.CellSize, BitmapFont.CellSize * BitmapFont.GlyphCount, Interop.Gl.GL_RED, Interop.Gl.GL_UNSIGNED_BYTE, font.Atlas);
        _textTexture = NewTexture(MaxColumns, MaxRows);
        Array.Fill(_uploaded, (byte)0xFF);
        _vertexArray = Interop.Gl.GenVertexArray();
    }

    /// <summary>Blends a rectangle of <paramref name="rgba"/> (straight alpha) over the framebuffer.</summary>
    public void FillRect(int fbWidth, int fbHeight, int x, int y, int width, int height, float r, float g, float b, float a)
    {
        Begin(fbWidth, fbHeight);
        Interop.Gl.Uniform1i(_textMode, 0);
        Interop.Gl.Uniform4f(_color, r, g, b, a);
        Interop.Gl.Uniform4f(_rect, x, y, width, height);
        Interop.Gl.DrawArrays(Interop.Gl.GL_TRIANGLE_STRIP, 0, 4);
        End();
    }

    /// <summary>
    /// Draws <paramref name="text"/> ('\n' separates lines) with its top left at (x, y), each
    /// glyph pixel <paramref name="scale"/> framebuffer pixels, white on <paramref name="backgroundAlpha"/> black.
    /// </summary>
    public void DrawText(int fbWidth, int fbHeight, ReadOnlySpan<char> text, int x, int y, int scale, float backgroundAlpha)
    {
        (int columns, int rows) = Measure(text);
        if (columns == 0)
        {
            return;
        }

        Fill(text, columns, rows);
        Begin(fbWidth, fbHeight);
        Interop.Gl.Uniform1i(_textMode, 1);
        Interop.Gl.Uniform1i(_scale, scale);
        Interop.Gl.Uniform4f(_color, 1f, 1f, 1f, 1f);
        Interop.Gl.Uniform4f(_background, 0f, 0f, 0f, backgroundAlpha);
        Interop.Gl.Uniform4f(_rect, x, y, columns * BitmapFont.CellSize * scale, ((rows * LineHeight) - 2) * scale);
        Interop.Gl.ActiveTexture(Interop.Gl.GL_TEXTURE0);
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _textTexture);
        Interop.Gl.Uniform1i(_text, 0);
        Interop.Gl.ActiveTexture(Interop.Gl.GL_TEXTURE0 + 1);
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _fontTexture);
        Interop.Gl.Uniform1i(_font, 1);
        Interop.Gl.DrawArrays(Interop.Gl.GL_TRIANGLE_STRIP, 0, 4);
        End();
    }

    /// <summary>Columns and rows of <paramref name="text"/>, clipped to the grid.</summary>
    public static (int Columns, int Rows) Measure(ReadOnlySpan<char> text)
    {
        int columns = 0, rows = 0, column = 0;
        foreach (char c in text)
        {
            if (c == '\n')
            {
                rows++;
                column = 0;
                continue;
            }

            column++;
            columns = Math.Max(columns, column);
        }

        if (text.Length > 0 && text[^1] != '\n')
        {
            rows++;
        }

        return (Math.Min(columns, MaxColumns), Math.Min(rows, MaxRows));
    }

    private void Fill(ReadOnlySpan<char> text, int columns, int rows)
    {
        byte space = (byte)BitmapFont.GlyphIndex(' ');
        Array.Fill(_codes, space, 0, rows * MaxColumns);
        int row = 0, column = 0;
        foreach (char c in text)
        {
            if (c == '\n')
            {
                row++;
                column = 0;
                continue;
            }

            if (row < rows && column < columns)
            {
                _codes[(row * MaxColumns) + column] = (byte)BitmapFont.GlyphIndex(c);
            }

            column++;
        }

        // The grid texture is MaxColumns wide; only rows that changed go to the GPU.
        if (!_codes.AsSpan(0, rows * MaxColumns).SequenceEqual(_uploaded.AsSpan(0, rows * MaxColumns)))
        {
            Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _textTexture);
            Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ALIGNMENT, 1);
            Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ROW_LENGTH, 0);
            Interop.Gl.TexSubImage2D(Interop.Gl.GL_TEXTURE_2D, 0, 0, MaxColumns, rows, Interop.Gl.GL_RED, Interop.Gl.GL_UNSIGNED_BYTE, _codes.AsSpan(0, rows * MaxColumns));
            _codes.AsSpan(0, rows * MaxColumns).CopyTo(_uploaded);
        }
    }

    private void Begin(int fbWidth, int fbHeight)
    {
        Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, 0);
        Interop.Gl.Viewport(0, 0, fbWidth, fbHeight);
        Interop.Gl.BindVertexArray(_vertexArray);
        _program.Use();
        Interop.Gl.Uniform2f(_target, fbWidth, fbHeight);
        Interop.Gl.Uniform1i(_flipY, 1);
        Interop.Gl.Enable(Interop.Gl.GL_BLEND);
        Interop.Gl.BlendFunc(Interop.Gl.GL_SRC_ALPHA, Interop.Gl.GL_ONE_MINUS_SRC_ALPHA);
    }

    // The plane renderer draws with blending off and does not set it itself.
    private static void End() => Interop.Gl.Disable(Interop.Gl.GL_BLEND);

    private static uint NewTexture(int width, int height)
    {
        uint texture = Interop.Gl.GenTexture();
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, texture);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MIN_FILTER, Interop.Gl.GL_NEAREST);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MAG_FILTER, Interop.Gl.GL_NEAREST);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_WRAP_S, Interop.Gl.GL_CLAMP_TO_EDGE);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_WRAP_T, Interop.Gl.GL_CLAMP_TO_EDGE);
        Interop.Gl.TexImage2D(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_R8, width, height, Interop.Gl.GL_RED, Interop.Gl.GL_UNSIGNED_BYTE);
        Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ALIGNMENT, 1);
        Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ROW_LENGTH, 0);
        return texture;
    }

    public void Dispose()
    {
        _program.Dispose();
        if (_fontTexture != 0)
        {
            Interop.Gl.DeleteTexture(_fontTexture);
            _fontTexture = 0;
        }

        if (_textTexture != 0)
        {
            Interop.Gl.DeleteTexture(_textTexture);
            _textTexture = 0;
        }

        if (_vertexArray != 0)
        {
            Interop.Gl.DeleteVertexArray(_vertexArray);
            _vertexArray = 0;
        }
    }
}
