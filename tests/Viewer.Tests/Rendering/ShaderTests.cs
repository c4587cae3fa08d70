using VgpuView.Viewer.Rendering;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

[Collection("gl")]
public sealed class ShaderTests
{
    [Fact]
    public void Load_Include_InlinesDecodeAfterVersion()
    {
        string source = ShaderSource.Load("plane.frag", "#define DECODE_ONLY 1");

        Assert.StartsWith("#version 300 es\n#define DECODE_ONLY 1\n", source);
        Assert.Contains("uvec4 decode_pixel(", source);
        Assert.DoesNotContain(source.Split('\n'), line => line.TrimStart().StartsWith("#include", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingShader_NamesIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ShaderSource.Load("nope.frag"));
        Assert.Contains("shaders/nope.frag", e.Message);
    }

    [Fact]
    public void Compile_Error_RaisesWithTheInfoLog()
    {
        RequireEgl();
        using var gpu = new GpuCompositor(TextWriter.Null);

        var e = Assert.Throws<GlException>(() => new ShaderProgram(gpu.Egl.Gl, "plane.vert", "plane.frag", "#error broken on purpose"));
        Assert.Contains("compiling shaders/plane.frag failed", e.Message);
        Assert.Contains("broken on purpose", e.Message);
    }
}
