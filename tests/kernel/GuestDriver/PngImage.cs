using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VgpuView.KernelGuest;

/// <summary>
/// A minimal PNG reader (RFC 2083 / ISO 15948): 8-bit truecolour with or without alpha,
/// not interlaced. It is written apart from the project's PNG writer so that a check of a
/// captured picture does not read it back with the code that wrote it.
/// </summary>
internal sealed class PngImage
{
    private static readonly byte[] s_signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngImage(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public (byte R, byte G, byte B, byte A) Pixel(int x, int y)
    {
        int i = ((y * Width) + x) * _channels;
        return (_pixels[i], _pixels[i + 1], _pixels[i + 2], _channels == 4 ? _pixels[i + 3] : (byte)255);
    }

    /// <summary>Null when both images have the same size and pixels; else what differs, and where first.</summary>
    public static string? Difference(PngImage a, PngImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
        {
            return $"{a.Width}x{a.Height} against {b.Width}x{b.Height}";
        }

        int wrong = 0;
        string? first = null;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                if (a.Pixel(x, y) != b.Pixel(x, y))
                {
                    wrong++;
                    first ??= $"pixel ({x},{y}) is {a.Pixel(x, y)} against {b.Pixel(x, y)}";
                }
            }
        }

        return wrong == 0 ? null : $"{wrong} of {a.Width * a.Height} pixels differ; first: {first}";
    }

    public static PngImage Load(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(s_signature))
        {
            throw new InvalidDataException($"{path}: not a PNG (signature)");
        }

        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 12 <= file.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos)));
            string type = Encoding.ASCII.GetString(file, pos + 4, 4);
            if (pos + 12 + length > file.Length)
            {
                throw new InvalidDataException($"{path}: chunk {type} runs past the end of the file");
            }

            ReadOnlySpan<byte> data = file.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                byte depth = data[8], colour = data[9], interlace = data[12];
                channels = colour switch { 2 => 3, 6 => 4, _ => 0 };
                if (depth != 8 || channels == 0 || interlace != 0)
                {
                    throw new InvalidDataException($"{path}: bit depth {depth}, colour type {colour}, interlace {interlace}; this reader takes 8-bit RGB or RGBA, not interlaced");
                }
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            pos += 12 + length;
        }

        if (channels == 0)
        {
            throw new InvalidDataException($"{path}: no IHDR");
        }

        int rowBytes = width * channels;
        byte[] raw = new byte[(rowBytes + 1) * height];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.ReadExactly(raw);
        }

        byte[] pixels = new byte[rowBytes * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (rowBytes + 1)];
            ReadOnlySpan<byte> src = raw.AsSpan((y * (rowBytes + 1)) + 1, rowBytes);
            Span<byte> dst = pixels.AsSpan(y * rowBytes, rowBytes);
            ReadOnlySpan<byte> up = y > 0 ? pixels.AsSpan((y - 1) * rowBytes, rowBytes) : new byte[rowBytes];
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= channels ? dst[i - channels] : 0;
                int b = up[i];
                int c = i >= channels ? up[i - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"{path}: row {y} has filter type {filter}"),
                };
                dst[i] = (byte)(src[i] + predictor);
            }
        }

        return new PngImage(width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
