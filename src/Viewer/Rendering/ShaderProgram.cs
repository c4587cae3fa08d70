namespace VgpuView.Viewer.Rendering;

/// <summary>A linked GLSL program. A GL object: dispose on the render thread, with the context current.</summary>
internal sealed class ShaderProgram : IDisposable
{
    private uint _program;

    public ShaderProgram(string vertexName, string fragmentName, string? fragmentDefines = null)
    {
        uint vs = Compile(Interop.Gl.GL_VERTEX_SHADER, vertexName, null);
        uint fs;
        try
        {
            fs = Compile(Interop.Gl.GL_FRAGMENT_SHADER, fragmentName, fragmentDefines);
        }
        catch
        {
            Interop.Gl.DeleteShader(vs);
            throw;
        }

        _program = Interop.Gl.CreateProgram();
        Interop.Gl.AttachShader(_program, vs);
        Interop.Gl.AttachShader(_program, fs);
        Interop.Gl.LinkProgram(_program);

        // The program keeps what it linked; the shader objects can go now.
        Interop.Gl.DeleteShader(vs);
        Interop.Gl.DeleteShader(fs);
        if (Interop.Gl.GetProgrami(_program, Interop.Gl.GL_LINK_STATUS) == 0)
        {
            string log = Interop.Gl.GetProgramInfoLog(_program);
            Interop.Gl.DeleteProgram(_program);
            _program = 0;
            throw new GlException($"linking {vertexName} + {fragmentName} failed: {log}");
        }
    }

    public uint Handle => _program;

    /// <summary>A uniform's location, looked up once after linking; -1 (ignored by glUniform*) when the linker dropped it.</summary>
    public int Uniform(string name) => Interop.Gl.GetUniformLocation(_program, name);

    public void Use() => Interop.Gl.UseProgram(_program);

    private static uint Compile(uint type, string name, string? defines)
    {
        uint shader = Interop.Gl.CreateShader(type);
        Interop.Gl.ShaderSource(shader, ShaderSource.Load(name, defines));
        Interop.Gl.CompileShader(shader);
        if (Interop.Gl.GetShaderi(shader, Interop.Gl.GL_COMPILE_STATUS) == 0)
        {
            string log = Interop.Gl.GetShaderInfoLog(shader);
            Interop.Gl.DeleteShader(shader);
            throw new GlException($"compiling shaders/{name} failed: {log}");
        }

        return shader;
    }

    public void Dispose()
    {
        if (_program != 0)
        {
            Interop.Gl.DeleteProgram(_program);
            _program = 0;
        }
    }
}
