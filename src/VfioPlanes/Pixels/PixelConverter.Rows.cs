// The converter's scalar rows, the reference every vector path is tested against, and the per-call plan.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Pixels;

public static partial class PixelConverter
{
    /// <summary>
    /// Everything one conversion needs per pixel, worked out once per call from the format
    /// table: source byte positions, bit fields, and the shuffle masks of the vector paths.
    /// </summary>
    internal readonly struct RowPlan
    {
        public readonly FormatInfo Format;

        /// <summary>The source alpha is copied (format has alpha and keepAlpha); otherwise A = 255.</summary>
        public readonly bool CopyAlpha;

        public readonly bool Vectorise;

        /// <summary>512-bit steps where a kernel has them (AVX-512BW, and allowed).</summary>
        public readonly bool Wide;

        // Rgb24/Rgb32: byte index of each channel within a pixel.
        public readonly int R;
        public readonly int G;
        public readonly int B;
        public readonly int A;

        // Rgb32: per 128-bit lane, four pixels to R, G, B, A (alpha zeroed when forced opaque),
        // then OR'd with AlphaOr (0xFF in every alpha byte when forced opaque).
        public readonly Vector256<byte> Shuffle32;
        public readonly Vector256<byte> AlphaOr;

        public RowPlan(FormatInfo format, bool keepAlpha, bool vectorise, bool wide = true)
        {
            Format = format;
            CopyAlpha = keepAlpha && format.HasAlpha;
            Vectorise = vectorise && Avx2.IsSupported;
            Wide = Vectorise && wide && Avx512BW.IsSupported && Avx512F.IsSupported;
            R = format.Rgb.Red.Shift / 8;
            G = format.Rgb.Green.Shift / 8;
            B = format.Rgb.Blue.Shift / 8;
            A = format.Rgb.Alpha.Shift / 8;

            Span<byte> mask = stackalloc byte[32];
            Span<byte> alpha = stackalloc byte[32];
            for (int p = 0; p < 8; p++)
            {
                int lane = p / 4 * 16;
                int at = p % 4 * 4;
                mask[lane + at + 0] = (byte)(at + R);
                mask[lane + at + 1] = (byte)(at + G);
                mask[lane + at + 2] = (byte)(at + B);
                mask[lane + at + 3] = CopyAlpha ? (byte)(at + A) : (byte)0x80;
                alpha[lane + at + 3] = CopyAlpha ? (byte)0 : (byte)0xFF;
            }

            Shuffle32 = Vector256.Create<byte>(mask);
            AlphaOr = Vector256.Create<byte>(alpha);
        }
    }

    /// <summary>
    /// Converts <paramref name="pixels"/> pixels that lie contiguously in <paramref name="src"/>
    /// (a linear row, or one run of a tiled row) into <paramref name="dst"/>.
    /// </summary>
    internal static void ConvertRun(ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
    {
        switch (plan.Format.Layout)
        {
            case FormatLayout.Rgb32:
                Rgb32(src, dst, pixels, plan);
                break;
            case FormatLayout.Yuv422:
                Yuv422(src, dst, pixels, plan);
                break;
            case FormatLayout.Rgb24:
                Rgb24(src, dst, pixels, plan);
                break;
            case FormatLayout.Indexed8:
                Grey8(src, dst, pixels);
                break;
            default:
                BitFields(src, dst, pixels, plan);
                break;
        }
    }

    private static void Rgb32(ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
    {
        int r = plan.R * 8, g = plan.G * 8, b = plan.B * 8, a = plan.A * 8;
        uint alphaOr = plan.CopyAlpha ? 0u : 0xFF000000u;
        for (int i = 0; i < pixels; i++)
        {
            // One little-endian word in, one out: R, G, B, A at bytes 0..3.
            uint p = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(i * 4));
            uint rgba = ((p >> r) & 0xFF) | (((p >> g) & 0xFF) << 8) | (((p >> b) & 0xFF) << 16) | alphaOr;
            if (plan.CopyAlpha)
            {
                rgba |= ((p >> a) & 0xFF) << 24;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(i * 4), rgba);
        }
    }

    private static void Rgb24(ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
    {
        int r = plan.R, g = plan.G, b = plan.B;
        for (int i = 0; i < pixels; i++)
        {
            ReadOnlySpan<byte> s = src.Slice(i * 3, 3);
            Span<byte> d = dst.Slice(i * 4, 4);
            d[3] = 255;
            d[0] = s[r];
            d[1] = s[g];
            d[2] = s[b];
        }
    }

    private static void Grey8(ReadOnlySpan<byte> src, Span<byte> dst, int pixels)
    {
        for (int i = 0; i < pixels; i++)
        {
            byte c = src[i];
            Span<byte> d = dst.Slice(i * 4, 4);
            d[3] = 255;
            d[0] = c;
            d[1] = c;
            d[2] = c;
        }
    }

    /// <summary>Packed16 and Rgb30: channels as bit fields of a 16- or 32-bit little-endian word.</summary>
    private static void BitFields(ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
    {
        RgbFields f = plan.Format.Rgb;
        int bpp = plan.Format.BytesPerPixel;
        bool copyAlpha = plan.CopyAlpha;
        for (int i = 0; i < pixels; i++)
        {
            uint word = bpp == 2
                ? BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2))
                : BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(i * 4));
            Span<byte> d = dst.Slice(i * 4, 4);
            d[3] = copyAlpha ? To8(word, f.Alpha) : (byte)255;
            d[0] = To8(word, f.Red);
            d[1] = To8(word, f.Green);
            d[2] = To8(word, f.Blue);
        }
    }

    /// <summary>A channel to 8 bits: the top 8 bits of a wider one, bit replication of a narrower one.</summary>
    internal static byte To8(uint word, ChannelField field)
    {
        int bits = field.Bits;
        uint v = (word >> field.Shift) & ((1u << bits) - 1);
        if (bits >= 8)
        {
            return (byte)(v >> (bits - 8));
        }

        uint result = 0;
        for (int s = 8 - bits; s > -bits; s -= bits)
        {
            result |= s >= 0 ? v << s : v >> -s;
        }

        return (byte)result;
    }

    private static void Yuv422(ReadOnlySpan<byte> src, Span<byte> dst, int pixels, in RowPlan plan)
    {
        YuvOrder o = plan.Format.Yuv;
        for (int i = 0; i < pixels; i += 2)
        {
            ReadOnlySpan<byte> s = src.Slice(i * 2, 4);
            int d = s[o.Cb] - 128;
            int e = s[o.Cr] - 128;
            int rc = (409 * e) + 128;
            int gc = (-100 * d) - (208 * e) + 128;
            int bc = (516 * d) + 128;
            YuvPixel(298 * (s[o.Y0] - 16), rc, gc, bc, dst.Slice(i * 4, 4));
            if (i + 1 < pixels)
            {
                YuvPixel(298 * (s[o.Y1] - 16), rc, gc, bc, dst.Slice((i + 1) * 4, 4));
            }
        }
    }

    private static void YuvPixel(int c, int rc, int gc, int bc, Span<byte> d)
    {
        d[3] = 255;
        d[0] = (byte)Math.Clamp((c + rc) >> 8, 0, 255);
        d[1] = (byte)Math.Clamp((c + gc) >> 8, 0, 255);
        d[2] = (byte)Math.Clamp((c + bc) >> 8, 0, 255);
    }
}
