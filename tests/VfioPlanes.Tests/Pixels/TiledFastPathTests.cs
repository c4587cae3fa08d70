using System.Runtime.Intrinsics.X86;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>
/// The vector walkers of tiled planes against a reference built apart from them: a random linear
/// plane converted by the scalar rows, and the same plane tiled by <see cref="TilingTests"/>' walk
/// of memory in tile order. Sizes leave the last tile column and the last row of tiles cut, with
/// odd heights so a band ends on a row without a partner; the output has padding that must stay.
/// </summary>
public sealed class TiledFastPathTests
{
    private const byte Untouched = 0x5A;

    public static TheoryData<string, ulong, int, int> Cases()
    {
        var data = new TheoryData<string, ulong, int, int>();
        (int Width, int Height)[] sizes = [(1, 1), (33, 1), (131, 31), (517, 33), (1023, 67), (1921, 41)];
        foreach (string format in new[] { "XR24", "AB24", "YUYV", "VYUY", "RG16", "AR30" })
        {
            foreach (ulong modifier in new[] { DrmModifier.I915XTiled, DrmModifier.I915YTiled })
            {
                foreach ((int width, int height) in sizes)
                {
                    data.Add(format, modifier, width, height);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorTiled_EqualsScalarLinear(string fourcc, ulong modifier, int width, int height)
    {
        Requires.That(Avx2.IsSupported, "a CPU with AVX2 for the vector path");
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.True(FormatTable.TryGet(code, out FormatInfo format));
        var random = new Random(HashCode.Combine(code, modifier, width, height));
        int rowBytes = (int)format.RowBytes(width);
        byte[] linear = new byte[rowBytes * height];
        random.NextBytes(linear);

        // One tile wider than needed: the walkers must stop at the width, not the stride.
        bool x = modifier == DrmModifier.I915XTiled;
        int tileWidth = x ? 512 : 128;
        int stride = ((rowBytes + tileWidth - 1) / tileWidth * tileWidth) + tileWidth;
        byte[] tiled = x
            ? TilingTests.TileX(linear, rowBytes, rowBytes, height, stride)
            : TilingTests.TileY(linear, rowBytes, rowBytes, height, stride);

        int dstStride = (width * 4) + 12;
        foreach (bool keepAlpha in new[] { false, true })
        {
            byte[] expected = new byte[dstStride * height];
            Array.Fill(expected, Untouched);
            PixelConverter.Convert(linear, new PlaneLayout(code, DrmModifier.Linear, width, height, rowBytes), expected, dstStride, keepAlpha, vectorise: false);
            foreach (bool wide in new[] { false, true })
            {
                byte[] actual = new byte[dstStride * height];
                Array.Fill(actual, Untouched);
                PixelConverter.Convert(tiled, new PlaneLayout(code, modifier, width, height, stride), actual, dstStride, keepAlpha, vectorise: true, wide);
                int at = expected.AsSpan().CommonPrefixLength(actual);
                Assert.True(
                    at == expected.Length,
                    $"{fourcc} {DrmModifier.ToText(modifier)} {width}x{height} keepAlpha={keepAlpha} wide={wide}: " +
                    $"first difference at row {at / dstStride}, byte {at % dstStride}");
            }
        }
    }
}
