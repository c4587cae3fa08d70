// The overlay's GL drawing: translucent rectangles and bitmap-font text blended over the window's framebuffer.
using Silk.NET.OpenGL;
using VgpuView.Viewer.Text;
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

    private readonly GL _gl;
    private readonly ShaderProgram _program;
    private readonly int _target, _rect, _flipY, _textMode, _scale, _color, _background, _text, _font;
    private readonly byte[] _codes = new byte[MaxColumns * MaxRows];
    private readonly byte[] _uploaded = new byte[MaxColumns * MaxRows];
    private uint _fontTexture;
    private uint _textTexture;
    private uint _vertexArray;

    public Overlay(GL gl, BitmapFont font)
    {
        _gl = gl;
        _program = new ShaderProgram(gl, "plane.vert", "overlay.frag");
        _target = _program.Uniform("u_target");
        _rect = _program.Uniform("u_rect");
        _flipY = _program.Uniform("u_flip_y");
        _textMode = _program.Uniform("u_text_mode");
        _scale = _program.Uniform("u_scale");
        _color = _program.Uniform("u_color");
        _background = _program.Uniform("u_background");
        _text = _program.Uniform("u_text");
        _font = _program.Uniform("u_font");

        // The program and any texture made before a failure are released here, not left to nobody.
        try
        {
            _fontTexture = NewTexture(BitmapFont.CellSize, BitmapFont.CellSize * BitmapFont.GlyphCount);
            _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, BitmapFont.CellSize, BitmapFont.CellSize * BitmapFont.GlyphCount, PixelFormat.Red, PixelType.UnsignedByte, (ReadOnlySpan<byte>)font.Atlas);
            _textTexture = NewTexture(MaxColumns, MaxRows);
            Array.Fill(_uploaded, (byte)0xFF);
            _vertexArray = _gl.GenVertexArray();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Blends a rectangle of <paramref name="rgba"/> (straight alpha) over the framebuffer.</summary>
    public void FillRect(int fbWidth, int fbHeight, int x, int y, int width, int height, float r, float g, float b, float a)
    {
        Begin(fbWidth, fbHeight);
        _gl.Uniform1(_textMode, 0);
        _gl.Uniform4(_color, r, g, b, a);
        _gl.Uniform4(_rect, (float)x, (float)y, (float)width, (float)height);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
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
        _gl.Uniform1(_textMode, 1);
        _gl.Uniform1(_scale, scale);
        _gl.Uniform4(_color, 1f, 1f, 1f, 1f);
        _gl.Uniform4(_background, 0f, 0f, 0f, backgroundAlpha);
        _gl.Uniform4(_rect, (float)x, (float)y, (float)(columns * BitmapFont.CellSize * scale), (float)(((rows * LineHeight) - 2) * scale));
        _gl.ActiveTexture(TextureUnit.Texture0);
        _gl.BindTexture(TextureTarget.Texture2D, _textTexture);
        _gl.Uniform1(_text, 0);
        _gl.ActiveTexture(TextureUnit.Texture1);
        _gl.BindTexture(TextureTarget.Texture2D, _fontTexture);
        _gl.Uniform1(_font, 1);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
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
            _gl.BindTexture(TextureTarget.Texture2D, _textTexture);
            _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
            _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
            _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, MaxColumns, (uint)rows, PixelFormat.Red, PixelType.UnsignedByte, (ReadOnlySpan<byte>)_codes.AsSpan(0, rows * MaxColumns));
            _codes.AsSpan(0, rows * MaxColumns).CopyTo(_uploaded);
        }
    }

    private void Begin(int fbWidth, int fbHeight)
    {
        _gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        _gl.Viewport(0, 0, (uint)fbWidth, (uint)fbHeight);
        _gl.BindVertexArray(_vertexArray);
        _program.Use();
        _gl.Uniform2(_target, (float)fbWidth, (float)fbHeight);
        _gl.Uniform1(_flipY, 1);
        _gl.Enable(EnableCap.Blend);
        _gl.BlendFunc(BlendingFactor.SrcAlpha, BlendingFactor.OneMinusSrcAlpha);
    }

    // The plane renderer draws with blending off and does not set it itself.
    private void End() => _gl.Disable(EnableCap.Blend);

    private uint NewTexture(uint width, uint height)
    {
        uint texture = _gl.GenTexture();
        _gl.BindTexture(TextureTarget.Texture2D, texture);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)TextureMinFilter.Nearest);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)TextureMagFilter.Nearest);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapS, (int)TextureWrapMode.ClampToEdge);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapT, (int)TextureWrapMode.ClampToEdge);

        // No data: only the storage, filled by TexSubImage2D.
        _gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.R8, width, height, 0, PixelFormat.Red, PixelType.UnsignedByte, ReadOnlySpan<byte>.Empty);
        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        return texture;
    }

    public void Dispose()
    {
        _program.Dispose();
        if (_fontTexture != 0)
        {
            _gl.DeleteTexture(_fontTexture);
            _fontTexture = 0;
        }

        if (_textTexture != 0)
        {
            _gl.DeleteTexture(_textTexture);
            _textTexture = 0;
        }

        if (_vertexArray != 0)
        {
            _gl.DeleteVertexArray(_vertexArray);
            _vertexArray = 0;
        }
    }
}
