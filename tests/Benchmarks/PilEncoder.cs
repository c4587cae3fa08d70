using System.Diagnostics;
using System.Globalization;

namespace VgpuView.Benchmarks;

/// <summary>
/// PIL (Debian's python3-pil under /usr/bin/python3) as a PNG encoder to measure against: one
/// Python process holds the image and encodes it on request, so a benchmark times PIL's encoder
/// and not Python's start-up. A request is one line "LEVEL COUNT [PATH]": COUNT encodes at zlib
/// LEVEL into memory, or into PATH with {n} replaced by the index; the answer is the last PNG's size
/// and the CPU seconds Python spent per encode.
/// </summary>
public sealed class PilEncoder : IDisposable
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import io, os, sys, time
        from PIL import Image
        w, h = map(int, sys.stdin.buffer.readline().split())
        image = Image.frombytes('RGB', (w, h), sys.stdin.buffer.read(w * h * 3))
        sys.stdout.write('ready\n'); sys.stdout.flush()
        for line in sys.stdin.buffer:
            parts = line.decode().split(' ', 2)
            level, count = int(parts[0]), int(parts[1])
            size = 0
            start = time.process_time()
            for i in range(count):
                if len(parts) > 2:
                    path = parts[2].strip().replace('{n}', str(i))
                    image.save(path, 'PNG', compress_level=level)
                    size = os.path.getsize(path)
                else:
                    out = io.BytesIO()
                    image.save(out, 'PNG', compress_level=level)
                    size = out.tell()
            cpu = (time.process_time() - start) / count
            sys.stdout.write(f'{size} {cpu}\n'); sys.stdout.flush()
        """;

    private readonly Process _python;

    /// <summary>Starts PIL with an RGBA image, whose alpha it drops (the frames measured are opaque).</summary>
    /// <exception cref="InvalidOperationException">/usr/bin/python3 or its PIL module is missing.</exception>
    public PilEncoder(ReadOnlySpan<byte> rgba, int width, int height)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"the PIL benchmark needs {Python} with PIL (Debian package python3-pil)");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        _python = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Python);

        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }

        Stream input = _python.StandardInput.BaseStream;
        input.Write(System.Text.Encoding.ASCII.GetBytes($"{width} {height}\n"));
        input.Write(rgb);
        input.Flush();
        string? ready = _python.StandardOutput.ReadLine();
        if (ready != "ready")
        {
            throw new InvalidOperationException(
                $"{Python} could not load the image into PIL (is python3-pil installed?): {_python.StandardError.ReadToEnd().Trim()}");
        }
    }

    /// <summary>The CPU time PIL spent on each PNG of the last <see cref="Encode"/>.</summary>
    public TimeSpan LastCpuPerImage { get; private set; }

    /// <summary>Encodes <paramref name="count"/> times at zlib <paramref name="level"/>; returns the size of one PNG.</summary>
    public long Encode(int level, int count = 1, string? pathTemplate = null)
    {
        string request = pathTemplate is null
            ? $"{level} {count}"
            : $"{level} {count} {pathTemplate}";
        _python.StandardInput.WriteLine(request);
        _python.StandardInput.Flush();
        string answer = _python.StandardOutput.ReadLine() ?? throw new InvalidOperationException("PIL stopped: " + _python.StandardError.ReadToEnd().Trim());
        string[] parts = answer.Split(' ');
        LastCpuPerImage = TimeSpan.FromSeconds(double.Parse(parts[1], CultureInfo.InvariantCulture));
        return long.Parse(parts[0], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _python.StandardInput.Close();
        if (!_python.WaitForExit(5000))
        {
            _python.Kill();
        }

        _python.Dispose();
    }
}
