using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Benchmarks;

/// <summary>
/// One 1920x1080 frame through each CPU path, against a plain copy of the same 8 MB frame on one
/// core. Goals: XR24 at least 0.75 of the copy's speed, every tiled and YUV conversion,
/// RG16/BG16 and the 10-bit formats at least 0.5. Sources are random bytes. Each
/// conversion runs on one core and on all of them (bands, as <see cref="PixelConverter.ToRgba"/>
/// converts a large plane); the copy is the same single-threaded baseline in both groups.
/// </summary>
[MemoryDiagnoser]
public class PixelBenchmarks
{
    public enum CoreUse
    {
        OneCore,
        AllCores,
    }

    [ParamsAllValues]
    public CoreUse Cores { get; set; }

    private const int Width = 1920;
    private const int Height = 1080;
    private const int FrameBytes = Width * Height * 4;

    private readonly byte[] _xr24 = new byte[FrameBytes];
    private readonly byte[] _xTiled = new byte[FrameBytes];

    // 1080 rows are 33.75 Y tile rows of 32: the buffer holds 34 whole tile rows.
    private readonly byte[] _yTiled = new byte[Width * 4 * 1088];
    private readonly byte[] _yuyv = new byte[Width * 1088 * 2];

    // An X-tiled 4:2:2 row of 3840 bytes takes 7.5 tiles: the stride rounds up to 4096.
    private readonly byte[] _yuyvXTiled = new byte[4096 * Height];
    private readonly byte[] _rgba = new byte[FrameBytes];
    private readonly byte[] _pattern = new byte[FrameBytes];
    private readonly PngWriter _png = new();
    private readonly TileLayout _linearTiles = TileLayout.TryGet(DrmModifier.Linear, 4, out TileLayout t) ? t : throw new InvalidOperationException();
    private readonly MemoryStream _pngOut = new(8 << 20);

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_xr24);
        new Random(2).NextBytes(_yuyv);
        new Random(5).NextBytes(_yuyvXTiled);

        // 1920 * 4 = 7680 bytes a row: 15 X tiles (512 bytes) or 60 Y tiles (128 bytes) across.
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

    /// <summary>The baseline: Buffer.MemoryCopy of the same 1920x1080 frame.</summary>
    [Benchmark(Baseline = true)]
    public unsafe void MemoryCopy()
    {
        fixed (byte* src = _xr24)
        fixed (byte* dst = _rgba)
        {
            Buffer.MemoryCopy(src, dst, _rgba.Length, _xr24.Length);
        }
    }

    /// <summary>
    /// The same copy on all cores, in as many bands as a conversion of the frame takes: how far
    /// the machine's memory lets more cores go, for reading the all-cores ratios. On one core it is
    /// the baseline again.
    /// </summary>
    [Benchmark]
    public unsafe void MemoryCopyInBands()
    {
        if (Cores == CoreUse.OneCore)
        {
            MemoryCopy();
            return;
        }

        int bands = PixelConverter.BandCount(new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), _linearTiles, Environment.ProcessorCount);
        int bandBytes = FrameBytes / bands;
        fixed (byte* src = _xr24)
        fixed (byte* dst = _rgba)
        {
            nint from = (nint)src, to = (nint)dst;
            Parallel.For(0, bands, b =>
            {
                int length = b == bands - 1 ? FrameBytes - (b * bandBytes) : bandBytes;
                Buffer.MemoryCopy((byte*)(from + (b * bandBytes)), (byte*)(to + (b * bandBytes)), length, length);
            });
        }
    }

    [Benchmark]
    public void Xr24ToRgba() => Convert(_xr24, DrmFourcc.XRGB8888, DrmModifier.Linear, Width * 4);

    [Benchmark]
    public void Xr24ToRgbaScalar() =>
        PixelConverter.Convert(_xr24, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), _rgba, Width * 4, false, vectorise: false, cores: CoreCount);

    [Benchmark]
    public void XTiledXr24ToRgba() => Convert(_xTiled, DrmFourcc.XRGB8888, DrmModifier.I915XTiled, Width * 4);

    [Benchmark]
    public void YTiledXr24ToRgba() => Convert(_yTiled, DrmFourcc.XRGB8888, DrmModifier.I915YTiled, Width * 4);

    [Benchmark]
    public void XTiledXr30ToRgba() => Convert(_xTiled, DrmFourcc.XRGB2101010, DrmModifier.I915XTiled, Width * 4);

    [Benchmark]
    public void YTiledXr30ToRgba() => Convert(_yTiled, DrmFourcc.XRGB2101010, DrmModifier.I915YTiled, Width * 4);

    [Benchmark]
    public void XTiledYuyvToRgba() => Convert(_yuyvXTiled, DrmFourcc.YUYV, DrmModifier.I915XTiled, 4096);

    [Benchmark]
    public void YTiledYuyvToRgba() => Convert(_yuyv, DrmFourcc.YUYV, DrmModifier.I915YTiled, Width * 2);

    [Benchmark]
    public void YuyvToRgba() => Convert(_yuyv, DrmFourcc.YUYV, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void UyvyToRgba() => Convert(_yuyv, DrmFourcc.UYVY, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void YvyuToRgba() => Convert(_yuyv, DrmFourcc.YVYU, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void VyuyToRgba() => Convert(_yuyv, DrmFourcc.VYUY, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void Rg16ToRgba() => Convert(_yuyv, DrmFourcc.RGB565, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void Bg16ToRgba() => Convert(_yuyv, DrmFourcc.BGR565, DrmModifier.Linear, Width * 2);

    [Benchmark]
    public void Xr30ToRgba() => Convert(_xr24, DrmFourcc.XRGB2101010, DrmModifier.Linear, Width * 4);

    [Benchmark]
    public void Xb30ToRgba() => Convert(_xr24, DrmFourcc.XBGR2101010, DrmModifier.Linear, Width * 4);

    [Benchmark]
    public void Ar30ToRgbaKeepAlpha() => Convert(_xr24, DrmFourcc.ARGB2101010, DrmModifier.Linear, Width * 4, keepAlpha: true);

    [Benchmark]
    public void Ab30ToRgbaKeepAlpha() => Convert(_xr24, DrmFourcc.ABGR2101010, DrmModifier.Linear, Width * 4, keepAlpha: true);

    private int CoreCount => Cores == CoreUse.OneCore ? 1 : 0;

    private void Convert(byte[] src, uint fourcc, ulong modifier, int stride, bool keepAlpha = false) =>
        PixelConverter.Convert(src, new PlaneLayout(fourcc, modifier, Width, Height, stride), _rgba, Width * 4, keepAlpha, vectorise: true, cores: CoreCount);

    [Benchmark]
    public long PngEncodeTestPattern()
    {
        _pngOut.SetLength(0);
        _png.Write(_pngOut, _pattern, Width, Height, Width * 4, PngOptions.Default);
        return _pngOut.Length;
    }
}
