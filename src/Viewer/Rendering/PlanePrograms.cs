using Silk.NET.OpenGL;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// The shader programs that draw planes and the uniform locations of each, looked up once after
/// linking: plane.frag built three ways (packed formats, YUV, whole-byte channels) and
/// cursor.frag, which blends the cursor over the primary it samples itself. A GL object: made
/// and deleted on the render thread with the context current.
/// </summary>
internal sealed class PlanePrograms : IDisposable
{
    private readonly GL _gl;
    private readonly ShaderProgram _plane;
    private readonly ShaderProgram _planeYuv;
    private readonly ShaderProgram _planeBytes;
    private readonly ShaderProgram _cursor;
    private readonly PlaneUniforms _planeUniforms;
    private readonly PlaneUniforms _planeYuvUniforms;
    private readonly PlaneUniforms _planeBytesUniforms;
    private readonly PlaneUniforms _cursorUniforms;
    private readonly PlaneUniforms _cursorPrimaryUniforms;
    private readonly int _cursorHasPrimary;

    public PlanePrograms(GL gl)
    {
        _gl = gl;
        try
        {
            _plane = new ShaderProgram(gl, "plane.vert", "plane.frag", "#define DECODE_ONLY 1");
            _planeYuv = new ShaderProgram(gl, "plane.vert", "plane.frag", "#define DECODE_ONLY 2");
            _planeBytes = new ShaderProgram(gl, "plane.vert", "plane.frag", "#define DECODE_ONLY 3");
            _cursor = new ShaderProgram(gl, "plane.vert", "cursor.frag");
        }
        catch
        {
            Dispose();
            throw;
        }

        _planeUniforms = new PlaneUniforms(gl, _plane, "u_plane", "u_tex");
        _planeYuvUniforms = new PlaneUniforms(gl, _planeYuv, "u_plane", "u_tex");
        _planeBytesUniforms = new PlaneUniforms(gl, _planeBytes, "u_plane", "u_tex");
        _cursorUniforms = new PlaneUniforms(gl, _cursor, "u_plane", "u_tex");
        _cursorPrimaryUniforms = new PlaneUniforms(gl, _cursor, "u_primary", "u_primary_tex");
        _cursorHasPrimary = _cursor.Uniform("u_has_primary");
    }

    /// <summary>Draws <paramref name="primary"/> at 1:1 over the whole bound target of <paramref name="width"/> by <paramref name="height"/>.</summary>
    public void DrawPrimary(PlaneTexture primary, int width, int height)
    {
        GlPlaneFormat f = primary.ShaderFormat;
        (ShaderProgram program, PlaneUniforms uniforms) = f.Yuv ? (_planeYuv, _planeYuvUniforms)
            : f.WholeBytes ? (_planeBytes, _planeBytesUniforms)
            : (_plane, _planeUniforms);
        program.Use();
        uniforms.Set(primary, unit: 0, keepAlpha: false, width, height, 0, 0);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
    }

    /// <summary>Blends <paramref name="cursor"/> with its top-left at (<paramref name="x"/>, <paramref name="y"/>) over <paramref name="primary"/> (or black), clipped to the target.</summary>
    public void DrawCursor(PlaneTexture cursor, PlaneTexture? primary, int width, int height, int x, int y)
    {
        _cursor.Use();
        _cursorUniforms.Set(cursor, unit: 1, keepAlpha: true, width, height, x, y);
        if (primary is not null)
        {
            _cursorPrimaryUniforms.Set(primary, unit: 0, keepAlpha: false, width, height, 0, 0);
        }

        _gl.Uniform1(_cursorHasPrimary, primary is null ? 0 : 1);
        _gl.DrawArrays(PrimitiveType.TriangleStrip, 0, 4);
    }

    public void Dispose()
    {
        _plane?.Dispose();
        _planeYuv?.Dispose();
        _planeBytes?.Dispose();
        _cursor?.Dispose();
    }

    /// <summary>The uniforms of one plane (a Plane struct in decode.glsl, its sampler, its rectangle), looked up once.</summary>
    private sealed class PlaneUniforms(GL gl, ShaderProgram program, string plane, string sampler)
    {
        private readonly int _yuv = program.Uniform(plane + ".yuv");
        private readonly int _shift = program.Uniform(plane + ".shift");
        private readonly int _bits = program.Uniform(plane + ".bits");
        private readonly int _order = program.Uniform(plane + ".order");
        private readonly int _size = program.Uniform(plane + ".size");
        private readonly int _keepAlpha = program.Uniform(plane + ".keep_alpha");
        private readonly int _sampler = program.Uniform(sampler);
        private readonly int _target = program.Uniform("u_target");
        private readonly int _rect = program.Uniform(plane == "u_plane" ? "u_rect" : "u_primary_rect");
        private readonly int _flipY = program.Uniform("u_flip_y");

        public void Set(PlaneTexture texture, int unit, bool keepAlpha, int targetWidth, int targetHeight, int x, int y)
        {
            GlPlaneFormat f = texture.ShaderFormat;
            gl.ActiveTexture(TextureUnit.Texture0 + unit);
            gl.BindTexture(TextureTarget.Texture2D, texture.Texture);
            gl.Uniform1(_sampler, unit);
            gl.Uniform1(_yuv, f.Yuv ? 1 : 0);
            gl.Uniform4(_shift, f.Shift.R, f.Shift.G, f.Shift.B, f.Shift.A);
            gl.Uniform4(_bits, f.Bits.R, f.Bits.G, f.Bits.B, f.Bits.A);
            gl.Uniform4(_order, f.Order.Y0, f.Order.Y1, f.Order.Cb, f.Order.Cr);
            gl.Uniform2(_size, (int)texture.Layout.Width, (int)texture.Layout.Height);
            gl.Uniform1(_keepAlpha, keepAlpha && f.Format.HasAlpha ? 1 : 0);
            gl.Uniform2(_target, (float)targetWidth, targetHeight);
            gl.Uniform4(_rect, (float)x, y, texture.Layout.Width, texture.Layout.Height);
            gl.Uniform1(_flipY, 0);
        }
    }
}
