using System.Runtime.Intrinsics.X86;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

/// <summary>The vector paths against the scalar ones, byte for byte, on random planes.</summary>
public sealed class VectorPathTests
{
    private static readonly string[] Formats =
        ["XR24", "AR24", "XB24", "AB24", "RX24", "BX24", "YUYV", "YVYU", "UYVY", "VYUY", "RG16", "BG16", "XR30", "XB30", "AR30", "AB30"];

    public static TheoryData<string, ulong> Cases()
    {
        var data = new TheoryData<string, ulong>();
        foreach (string format in Formats)
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
                PixelConverter.Convert(src, layout, scalar, dstStride, keepAlpha, vectorise: false);

                // 256-bit steps alone, and with 512-bit steps where the CPU has them.
                foreach (bool wide in new[] { false, true })
                {
                    byte[] vector = new byte[dstStride * height];
                    PixelConverter.Convert(src, layout, vector, dstStride, keepAlpha, vectorise: true, wide);
                    Assert.True(scalar.AsSpan().SequenceEqual(vector), $"{layout} keepAlpha={keepAlpha} wide={wide}: vector and scalar differ");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorEqualsScalar_AtEveryAlignment(string fourcc, ulong modifier)
    {
        // The same plane and output placed at every offset within 64 bytes of an array's start:
        // the vector loads and stores must not depend on where the buffers lie.
        Requires.That(Avx2.IsSupported, "a CPU with AVX2 for the vector path");
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.True(FormatTable.TryGet(code, out FormatInfo format));
        var random = new Random((int)code + (int)modifier);
        const int width = 77, height = 9;
        int rowBytes = (int)format.RowBytes(width);
        int stride = modifier switch
        {
            DrmModifier.I915XTiled => (rowBytes + 511) / 512 * 512,
            DrmModifier.I915YTiled => (rowBytes + 127) / 128 * 128,
            _ => rowBytes,
        };
        var layout = new PlaneLayout(code, modifier, width, height, stride);
        int srcBytes = (int)PixelConverter.RequiredSourceBytes(layout);
        byte[] plane = new byte[srcBytes];
        random.NextBytes(plane);
        byte[] expected = new byte[width * 4 * height];
        PixelConverter.Convert(plane, layout, expected, width * 4, keepAlpha: true, vectorise: false);
        for (int offset = 0; offset < 64; offset++)
        {
            foreach (bool wide in new[] { false, true })
            {
                byte[] src = new byte[srcBytes + 64];
                byte[] dst = new byte[expected.Length + 64];
                plane.CopyTo(src, offset);
                Span<byte> output = dst.AsSpan((offset * 7) % 64, expected.Length);
                PixelConverter.Convert(src.AsSpan(offset, srcBytes), layout, output, width * 4, keepAlpha: true, vectorise: true, wide);
                Assert.True(expected.AsSpan().SequenceEqual(output), $"{layout} at src offset {offset} wide={wide}: vector and scalar differ");
            }
        }
    }

    [Theory]
    [InlineData("YUYV", false)]
    [InlineData("UYVY", false)]
    [InlineData("YVYU", true)]
    [InlineData("VYUY", true)]
    public void Yuv422_EveryYCbCr_FollowsTheIntegerRule(string fourcc, bool wide)
    {
        // Every (Y, Cb, Cr) triple through the vector path, against the rule of PixelConverter's
        // remarks computed here in 32-bit integers: 256 planes, one per Cr, of 65536 pixel pairs.
        Requires.That(Avx2.IsSupported, "a CPU with AVX2 for the vector path");
        Assert.True(DrmFourcc.TryParse(fourcc, out uint code));
        Assert.True(FormatTable.TryGet(code, out FormatInfo format));
        YuvOrder o = format.Yuv;
        const int width = 16384, height = 8; // 8192 pairs a row, 65536 in all
        var layout = new PlaneLayout(code, DrmModifier.Linear, width, height, width * 2);
        byte[] src = new byte[width * height * 2];
        byte[] dst = new byte[width * height * 4];
        for (int cr = 0; cr < 256; cr++)
        {
            for (int pair = 0; pair < 65536; pair++)
            {
                int at = pair * 4;
                src[at + o.Y0] = (byte)(pair >> 8);
                src[at + o.Y1] = (byte)(255 - (pair >> 8));
                src[at + o.Cb] = (byte)pair;
                src[at + o.Cr] = (byte)cr;
            }

            PixelConverter.Convert(src, layout, dst, width * 4, keepAlpha: false, vectorise: true, wide);
            for (int pair = 0; pair < 65536; pair++)
            {
                int d = (pair & 0xFF) - 128, e = cr - 128;
                for (int half = 0; half < 2; half++)
                {
                    int y = half == 0 ? pair >> 8 : 255 - (pair >> 8);
                    int c = y - 16;
                    int at = ((pair * 2) + half) * 4;
                    if (dst[at] != Math.Clamp(((298 * c) + (409 * e) + 128) >> 8, 0, 255) ||
                        dst[at + 1] != Math.Clamp(((298 * c) - (100 * d) - (208 * e) + 128) >> 8, 0, 255) ||
                        dst[at + 2] != Math.Clamp(((298 * c) + (516 * d) + 128) >> 8, 0, 255) ||
                        dst[at + 3] != 255)
                    {
                        Assert.Fail($"{fourcc} Y={y} Cb={pair & 0xFF} Cr={cr}: got {dst[at]},{dst[at + 1]},{dst[at + 2]},{dst[at + 3]}");
                    }
                }
            }
        }
    }
}
