using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Tests.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>
/// Large planes converted in bands on several cores, against a reference built apart from the
/// bands: a random linear plane converted by the scalar rows on one core, tiled for the tiled
/// cases by <see cref="TilingTests"/>' walk of memory in tile order. The size makes four bands whose
/// last one is short and ends inside a row of tiles; the output's padding must stay untouched.
/// </summary>
public sealed class BandTests
{
    private const byte Untouched = 0x5A;

    // 1280 x 1001 RGBA is 5.1 MB: four bands of 1 MiB or more on eight cores.
    private const int Width = 1280;
    private const int Height = 1001;

    public static TheoryData<string, ulong, bool> Cases()
    {
        var data = new TheoryData<string, ulong, bool>();
        foreach (string format in new[] { "XR24", "YUYV", "RG16", "XR30", "RG24" })
        {
            foreach (ulong modifier in new[] { DrmModifier.Linear, DrmModifier.I915XTiled, DrmModifier.I915YTiled })
            {
                foreach (bool vectorise in new[] { true, false })
                {
                    data.Add(format, modifier, vectorise);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bands_EqualOneCoreScalarOfTheLinearPlane(string fourcc, ulong modifier, bool vectorise)
    {
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.True(FormatTable.TryGet(code, out FormatInfo format));
        var random = new Random(HashCode.Combine(code, modifier));
        int rowBytes = (int)format.RowBytes(Width);
        byte[] linear = new byte[rowBytes * Height];
        random.NextBytes(linear);

        int tileWidth = modifier == DrmModifier.I915XTiled ? 512 : 128;
        int stride = modifier == DrmModifier.Linear ? rowBytes + 64 : (rowBytes + tileWidth - 1) / tileWidth * tileWidth;
        byte[] source = modifier switch
        {
            DrmModifier.I915XTiled => TilingTests.TileX(linear, rowBytes, rowBytes, Height, stride),
            DrmModifier.I915YTiled => TilingTests.TileY(linear, rowBytes, rowBytes, Height, stride),
            _ => Pad(linear, rowBytes, stride),
        };
        var layout = new PlaneLayout(code, modifier, Width, Height, stride);
        Assert.True(TileLayout.TryGet(modifier, format.BytesPerPixel, out TileLayout tiles));
        Assert.Equal(4, PixelConverter.BandCount(layout, tiles, cores: 8));

        int dstStride = (Width * 4) + 12;
        byte[] expected = new byte[dstStride * Height];
        Array.Fill(expected, Untouched);
        PixelConverter.Convert(linear, new PlaneLayout(code, DrmModifier.Linear, Width, Height, rowBytes), expected, dstStride, keepAlpha: true, vectorise: false, cores: 1);

        byte[] actual = new byte[dstStride * Height];
        Array.Fill(actual, Untouched);
        PixelConverter.Convert(source, layout, actual, dstStride, keepAlpha: true, vectorise, cores: 8);
        int at = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(at == expected.Length, $"{layout} vectorise={vectorise}: first difference at row {at / dstStride}, byte {at % dstStride}");
    }

    [Theory]
    [InlineData(64, 64, 8, 1)]       // a cursor: one band, no pool thread
    [InlineData(1920, 1080, 1, 1)]   // one core
    [InlineData(1920, 1080, 2, 4)]   // two a core
    [InlineData(1920, 1080, 64, 7)]  // 8,294,400 bytes: seven whole MiB
    [InlineData(512, 511, 2, 1)]     // just under 1 MiB
    public void BandCount_BySizeAndCores(int width, int height, int cores, int bands)
    {
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, width, height, width * 4);
        Assert.True(TileLayout.TryGet(DrmModifier.Linear, 4, out TileLayout tiles));
        Assert.Equal(bands, PixelConverter.BandCount(layout, tiles, cores));
    }

    [Fact]
    public void BandCount_NeverExceedsTheRowsOfTiles()
    {
        // 16384 x 40 RGBA is 2.5 MB but only two rows of Y tiles (32 rows each).
        var layout = new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.I915YTiled, 16384, 40, 16384 * 4);
        Assert.True(TileLayout.TryGet(DrmModifier.I915YTiled, 4, out TileLayout tiles));
        Assert.Equal(2, PixelConverter.BandCount(layout, tiles, cores: 16));
    }

    private static byte[] Pad(byte[] linear, int rowBytes, int stride)
    {
        byte[] padded = new byte[stride * Height];
        for (int y = 0; y < Height; y++)
        {
            linear.AsSpan(y * rowBytes, rowBytes).CopyTo(padded.AsSpan(y * stride));
        }

        return padded;
    }
}

/// <summary>
/// A series of large conversions in bands on pool threads allocates nothing after the first.
/// The bands run on those threads, so the count is the process's (precise), taken while no other
/// test runs (the PNG allocation collection); the least of three windows leaves out the runtime's
/// own occasional allocations.
/// </summary>
[Collection(nameof(PngAllocationCollection))]
public sealed class BandAllocationTests
{
    [Fact]
    public void SeriesInBands_AllocatesNothingPerFrame()
    {
        var layout = new PlaneLayout(DrmFourcc.YUYV, DrmModifier.I915YTiled, 1920, 1080, 1920 * 2);
        byte[] src = new byte[PixelConverter.RequiredSourceBytes(layout)];
        new Random(7).NextBytes(src);
        byte[] rgba = new byte[1920 * 1080 * 4];
        Assert.True(TileLayout.TryGet(layout.Modifier, 2, out TileLayout tiles));
        Assert.Equal(4, PixelConverter.BandCount(layout, tiles, cores: 2));
        void Series(int frames)
        {
            for (int i = 0; i < frames; i++)
            {
                PixelConverter.Convert(src, layout, rgba, 1920 * 4, keepAlpha: false, vectorise: true, cores: 2);
            }
        }

        Series(50); // code tiered up, pool threads started
        (long least, string counts) = Allocations.LeastInProcess(() => Series(30));
        Assert.True(least == 0, "30 frames a window, " + counts);
        Assert.NotEqual(0, rgba[3]);
    }
}
