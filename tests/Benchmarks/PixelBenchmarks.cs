using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Benchmarks;

/// <summary>
/// One 1920x1080 frame through each CPU path, against a plain copy of the same 8 MB frame.
/// Goals (issue 3): XR24 at least 0.75 of the copy's speed, X-tiled XR24 at least 0.4,
/// PNG encoding of a test-pattern-like frame under 10 ms.
/// </summary>
[MemoryDiagnoser]
public class PixelBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;
    private const int FrameBytes = Width * Height * 4;

    private readonly byte[] _xr24 = new byte[FrameBytes];
    private readonly byte[] _xTiled = new byte[FrameBytes];
    private readonly byte[] _yTiled = new byte[FrameBytes];
    private readonly byte[] _yuyv = new byte[Width * Height * 2];
    private readonly byte[] _rgba = new byte[FrameBytes];
    private readonly byte[] _pattern = new byte[FrameBytes];
    private readonly PngWriter _png = new();
    private readonly MemoryStream _pngOut = new(8 << 20);

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_xr24);
        new Random(2).NextBytes(_yuyv);

        // 1920 * 4 = 7680 bytes a row: 15 X tiles (512 bytes) or 60 Y tiles (128 bytes) across,
        // and 1080 rows are 135 tile rows of 8 but 33.75 of 32: the Y-tiled frame covers 1056 rows.
        new Random(3).NextBytes(_xTiled);
        new Random(4).NextBytes(_yTiled);

        TestPattern(_pattern);
        _pngOut.SetLength(0);
        _png.Write(_pngOut, _pattern, Width, Height, Width * 4, PngOptions.Default);
        Console.WriteLine($"// PNG of the {Width}x{Height} test pattern: {_pngOut.Length} bytes");
    }

    /// <summary>
    /// Like the simulated vGPU's test pattern: seven colour bars over the top two thirds, a grey
    /// ramp below them, and lines of glyph-sized noise (8x16 cells, 1 bit a pixel) standing in for text.
    /// </summary>
    private static void TestPattern(byte[] rgba)
    {
        ReadOnlySpan<uint> bars = [0xFFC0C0C0, 0xFF00C0C0, 0xFFC0C000, 0xFF00C000, 0xFFC000C0, 0xFF0000C0, 0xFFC00000];
        var random = new Random(5);
        Span<int> pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(rgba.AsSpan());
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                uint c;
                if (y < Height * 2 / 3)
                {
                    c = bars[x * bars.Length / Width];
                }
                else
                {
                    uint g = (uint)(x * 255 / (Width - 1));
                    c = 0xFF000000 | (g << 16) | (g << 8) | g;
                }

                pixels[(y * Width) + x] = (int)c;
            }
        }

        for (int line = 0; line < 6; line++)
        {
            int top = 40 + (line * 24);
            for (int cell = 0; cell < 60; cell++)
            {
                for (int gy = 0; gy < 16; gy++)
                {
                    int bits = random.Next(256);
                    for (int gx = 0; gx < 8; gx++)
                    {
                        if ((bits & (1 << gx)) != 0)
                        {
                            pixels[((top + gy) * Width) + 32 + (cell * 9) + gx] = unchecked((int)0xFFFFFFFF);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The baseline: Span.CopyTo is Buffer.MemoryCopy's memmove, without pointers.</summary>
    [Benchmark(Baseline = true)]
    public void MemoryCopy() => _xr24.AsSpan().CopyTo(_rgba);

    [Benchmark]
    public void Xr24ToRgba() =>
        PixelConverter.ToRgba(_xr24, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), _rgba, Width * 4, false);

    [Benchmark]
    public void Xr24ToRgbaScalar() =>
        PixelConverter.Convert(_xr24, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), _rgba, Width * 4, false, vectorise: false);

    [Benchmark]
    public void XTiledXr24ToRgba() =>
        PixelConverter.ToRgba(_xTiled, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.I915XTiled, Width, Height, Width * 4), _rgba, Width * 4, false);

    [Benchmark]
    public void YTiledXr24ToRgba() =>
        PixelConverter.ToRgba(_yTiled, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.I915YTiled, Width, 1056, Width * 4), _rgba, Width * 4, false);

    [Benchmark]
    public void YuyvToRgba() =>
        PixelConverter.ToRgba(_yuyv, new PlaneLayout(DrmFourcc.YUYV, DrmModifier.Linear, Width, Height, Width * 2), _rgba, Width * 4, false);

    [Benchmark]
    public long PngEncodeTestPattern()
    {
        _pngOut.SetLength(0);
        _png.Write(_pngOut, _pattern, Width, Height, Width * 4, PngOptions.Default);
        return _pngOut.Length;
    }
}
