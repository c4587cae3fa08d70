using System.Reflection;
using System.Text;

namespace VgpuView.Viewer.Rendering;

/// <summary>The GLSL in shaders/, embedded at build time as "shaders/NAME".</summary>
internal static class ShaderSource
{
    /// <summary>
    /// The text of shaders/<paramref name="name"/>, with each line <c>#include "other"</c>
    /// replaced by that file's text (GLSL ES has no include of its own).
    /// </summary>
    public static string Load(string name) => Load(name, defines: null);

    /// <summary>As <see cref="Load(string)"/>, with <paramref name="defines"/> (#define lines) placed after the #version line.</summary>
    public static string Load(string name, string? defines)
    {
        var text = new StringBuilder();
        Append(name, text, depth: 0);
        if (defines is not null)
        {
            // GLSL wants #version first; everything else may follow it.
            string source = text.ToString();
            int firstLine = source.IndexOf('\n') + 1;
            return source[..firstLine] + defines.TrimEnd('\n') + "\n" + source[firstLine..];
        }

        return text.ToString();
    }

    private static void Append(string name, StringBuilder text, int depth)
    {
        if (depth > 4)
        {
            throw new InvalidOperationException($"shader include nesting too deep at shaders/{name}");
        }

        Assembly assembly = typeof(ShaderSource).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("shaders/" + name)
            ?? throw new FileNotFoundException($"embedded shader shaders/{name} is missing from {assembly.GetName().Name}", "shaders/" + name);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("#include \"", StringComparison.Ordinal) && trimmed.EndsWith('"'))
            {
                Append(trimmed["#include \"".Length..^1], text, depth + 1);
            }
            else
            {
                text.Append(line).Append('\n');
            }
        }
    }
}
