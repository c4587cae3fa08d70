using System.Runtime.Intrinsics.X86;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>The vector paths against the scalar ones, byte for byte, on random planes.</summary>
public sealed class VectorPathTests
{
    public static TheoryData<string, ulong> Cases()
    {
        var data = new TheoryData<string, ulong>();
        foreach (string format in new[] { "XR24", "AR24", "XB24", "AB24", "RX24", "BX24", "YUYV", "YVYU", "UYVY", "VYUY" })
        {
            foreach (ulong modifier in new[] { DrmModifier.Linear, DrmModifier.I915XTiled, DrmModifier.I915YTiled })
            {
                data.Add(format, modifier);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorEqualsScalar_OnRandomData(string fourcc, ulong modifier)
    {
        Requires.That(Avx2.IsSupported, "a CPU with AVX2 for the vector path");
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.True(FormatTable.TryGet(code, out FormatInfo format));
        var random = new Random((int)code ^ (int)modifier);
        foreach (int width in new[] { 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33, 129, 131, 300 })
        {
            int height = 35;
            int rowBytes = (int)format.RowBytes(width);
            int stride = modifier switch
            {
                DrmModifier.I915XTiled => (rowBytes + 511) / 512 * 512,
                DrmModifier.I915YTiled => (rowBytes + 127) / 128 * 128,
                _ => rowBytes + random.Next(0, 9),
            };
            var layout = new PlaneLayout(code, modifier, width, height, stride);
            byte[] src = new byte[PixelConverter.RequiredSourceBytes(layout)];
            random.NextBytes(src);
            foreach (bool keepAlpha in new[] { false, true })
            {
                int dstStride = (width * 4) + 4;
                byte[] scalar = new byte[dstStride * height];
                byte[] vector = new byte[dstStride * height];
                PixelConverter.Convert(src, layout, scalar, dstStride, keepAlpha, vectorise: false);
                PixelConverter.Convert(src, layout, vector, dstStride, keepAlpha, vectorise: true);
                Assert.True(scalar.AsSpan().SequenceEqual(vector), $"{layout} keepAlpha={keepAlpha}: vector and scalar differ");
            }
        }
    }
}
