using System.Diagnostics;
using Xunit;

namespace VgpuView.Tests.Shared;

/// <summary>
/// Debian's ImageMagick as the independent PNG decoder. The real binaries are called by their
/// full path: a machine may carry a stand-in `convert` earlier on PATH that only prints PPM.
/// </summary>
public static class ImageMagick
{
    private const string Convert = "/usr/bin/convert";
    private const string Identify = "/usr/bin/identify";

    public static void Require() =>
        Requires.That(File.Exists(Convert) && File.Exists(Identify), "ImageMagick's /usr/bin/convert and identify (Debian package imagemagick)");

    /// <summary>The PNG's pixels as ImageMagick decodes them, 8-bit RGBA (A = 255 for an RGB file).</summary>
    public static byte[] DecodeRgba(string png)
    {
        Require();
        return Run(Convert, [png, "-depth", "8", "rgba:-"]);
    }

    /// <summary>identify -format with one property expression, e.g. "%[png:IHDR.color-type-orig]".</summary>
    public static string Property(string png, string format)
    {
        Require();
        return System.Text.Encoding.UTF8.GetString(Run(Identify, ["-format", format, png])).Trim();
    }

    private static byte[] Run(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + program);
        using var output = new MemoryStream();
        Task<string> errors = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {errors.Result}");
        return output.ToArray();
    }
}
