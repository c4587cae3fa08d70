using Silk.NET.OpenGL;

namespace VgpuView.Viewer.Rendering;

/// <summary>A linked GLSL program. A GL object: dispose on the render thread, with the context current.</summary>
internal sealed class ShaderProgram : IDisposable
{
    private readonly GL _gl;
    private uint _program;

    public ShaderProgram(GL gl, string vertexName, string fragmentName, string? fragmentDefines = null)
    {
        _gl = gl;
        uint vs = Compile(ShaderType.VertexShader, vertexName, null);
        uint fs;
        try
        {
            fs = Compile(ShaderType.FragmentShader, fragmentName, fragmentDefines);
        }
        catch
        {
            gl.DeleteShader(vs);
            throw;
        }

        _program = gl.CreateProgram();
        gl.AttachShader(_program, vs);
        gl.AttachShader(_program, fs);
        gl.LinkProgram(_program);

        // The program keeps what it linked; the shader objects can go now.
        gl.DeleteShader(vs);
        gl.DeleteShader(fs);
        gl.GetProgram(_program, ProgramPropertyARB.LinkStatus, out int linked);
        if (linked == 0)
        {
            string log = gl.GetProgramInfoLog(_program).Trim();
            gl.DeleteProgram(_program);
            _program = 0;
            throw new GlException($"linking {vertexName} + {fragmentName} failed: {log}");
        }
    }

    public uint Handle => _program;

    /// <summary>A uniform's location, looked up once after linking; -1 (ignored by glUniform*) when the linker dropped it.</summary>
    public int Uniform(string name) => _gl.GetUniformLocation(_program, name);

    public void Use() => _gl.UseProgram(_program);

    private uint Compile(ShaderType type, string name, string? defines)
    {
        uint shader = _gl.CreateShader(type);
        _gl.ShaderSource(shader, ShaderSource.Load(name, defines));
        _gl.CompileShader(shader);
        _gl.GetShader(shader, ShaderParameterName.CompileStatus, out int compiled);
        if (compiled == 0)
        {
            string log = _gl.GetShaderInfoLog(shader).Trim();
            _gl.DeleteShader(shader);
            throw new GlException($"compiling shaders/{name} failed: {log}");
        }

        return shader;
    }

    public void Dispose()
    {
        if (_program != 0)
        {
            _gl.DeleteProgram(_program);
            _program = 0;
        }
    }
}
