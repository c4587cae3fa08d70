using System.Diagnostics;
using VgpuView.Benchmarks;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

/// <summary>
/// The 1920x1080 desktop-like frame of the PNG benchmarks, written at the default options: PIL
/// (Debian's python3-pil), ImageMagick and the project's reader each decode it to exactly the
/// pixels drawn.
/// </summary>
public sealed class PngDesktopFrameTests : IDisposable
{
    private const string Python = "/usr/bin/python3";

    // Decodes the PNG named by argv[1] and writes its mode, a newline, then its pixels as RGBA.
    private const string PilDecode = """
        import sys
        from PIL import Image
        image = Image.open(sys.argv[1])
        image.load()
        sys.stdout.buffer.write(image.mode.encode() + b'\n' + image.convert('RGBA').tobytes())
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-desktop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DesktopFrame_AtTheDefaults_DecodesToTheSamePixels_ByPilImageMagickAndTheReader()
    {
        const int width = 1920, height = 1080;
        byte[] rgba = DesktopFrame.Draw(width, height);
        string path = Path.Combine(_dir, "desktop.png");
        using (FileStream file = File.Create(path))
        {
            new PngWriter().Write(file, rgba, width, height, width * 4, PngOptions.Default);
        }

        (string mode, byte[] pil) = DecodeWithPil(path);
        Assert.Equal("RGB", mode); // opaque, so colour type 2
        Assert.True(rgba.AsSpan().SequenceEqual(pil), "PIL decodes other pixels than were written");
        Assert.True(rgba.AsSpan().SequenceEqual(ImageMagick.DecodeRgba(path)), "ImageMagick decodes other pixels than were written");
        Assert.True(rgba.AsSpan().SequenceEqual(PngReader.Decode(File.ReadAllBytes(path)).Rgba), "PngReader decodes other pixels than were written");
    }

    private static (string Mode, byte[] Rgba) DecodeWithPil(string png)
    {
        bool hasPil = File.Exists(Python) && Run(["-c", "import PIL"], out _) == 0;
        Requires.That(hasPil, $"{Python} with PIL (Debian package python3-pil)");
        int exit = Run(["-c", PilDecode, png], out byte[] output);
        Assert.True(exit == 0, $"PIL could not decode {png}: exit {exit}");
        int newline = Array.IndexOf(output, (byte)'\n');
        return (System.Text.Encoding.ASCII.GetString(output, 0, newline), output[(newline + 1)..]);
    }

    private static int Run(string[] args, out byte[] output)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Python);
        Task<string> errors = p.StandardError.ReadToEndAsync();
        using var buffer = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(buffer);
        p.WaitForExit();
        _ = errors.Result;
        output = buffer.ToArray();
        return p.ExitCode;
    }
}
