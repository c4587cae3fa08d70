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

        // Rgb24/Rgb32: byte index of each channel within a pixel.
        public readonly int R;
        public readonly int G;
        public readonly int B;
        public readonly int A;

        // Rgb32: per 128-bit lane, four pixels to R, G, B, A (alpha zeroed when forced opaque),
        // then OR'd with AlphaOr (0xFF in every alpha byte when forced opaque).
        public readonly Vector256<byte> Shuffle32;
        public readonly Vector256<byte> AlphaOr;

        // Yuv422: gathers the Y, Cb and Cr of eight pixels (four pairs, 16 bytes) into the low 8 bytes.
        public readonly Vector128<byte> YGather;
        public readonly Vector128<byte> CbGather;
        public readonly Vector128<byte> CrGather;

        public RowPlan(FormatInfo format, bool keepAlpha, bool vectorise)
        {
            Format = format;
            CopyAlpha = keepAlpha && format.HasAlpha;
            Vectorise = vectorise && Avx2.IsSupported;
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

            Span<byte> y = stackalloc byte[16];
            Span<byte> cb = stackalloc byte[16];
            Span<byte> cr = stackalloc byte[16];
            y.Fill(0x80);
            cb.Fill(0x80);
            cr.Fill(0x80);
            YuvOrder order = format.Yuv;
            for (int p = 0; p < 8; p++)
            {
                int pair = p / 2 * 4;
                y[p] = (byte)(pair + (p % 2 == 0 ? order.Y0 : order.Y1));
                cb[p] = (byte)(pair + order.Cb);
                cr[p] = (byte)(pair + order.Cr);
            }

            YGather = Vector128.Create<byte>(y);
            CbGather = Vector128.Create<byte>(cb);
            CrGather = Vector128.Create<byte>(cr);
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
        int i = 0;
        if (plan.Vectorise)
        {
            // Loads and stores by reference skip the per-vector bounds checks: the loop bounds
            // below keep every access inside src and dst, whose lengths were checked for pixels.
            int bytes = pixels * 4;
            if (src.Length < bytes || dst.Length < bytes)
            {
                throw new ArgumentException("a run is shorter than its pixels", nameof(src));
            }

            ref byte s = ref MemoryMarshal.GetReference(src);
            ref byte d = ref MemoryMarshal.GetReference(dst);
            Vector256<byte> shuffle = plan.Shuffle32;
            Vector256<byte> alpha = plan.AlphaOr;
            for (; i <= bytes - 64; i += 64)
            {
                Vector256<byte> v0 = Vector256.LoadUnsafe(ref s, (nuint)i);
                Vector256<byte> v1 = Vector256.LoadUnsafe(ref s, (nuint)(i + 32));
                Avx2.Or(Avx2.Shuffle(v0, shuffle), alpha).StoreUnsafe(ref d, (nuint)i);
                Avx2.Or(Avx2.Shuffle(v1, shuffle), alpha).StoreUnsafe(ref d, (nuint)(i + 32));
            }

            if (i <= bytes - 32)
            {
                Avx2.Or(Avx2.Shuffle(Vector256.LoadUnsafe(ref s, (nuint)i), shuffle), alpha).StoreUnsafe(ref d, (nuint)i);
                i += 32;
            }

            if (i <= bytes - 16)
            {
                Vector128<byte> v = Vector128.LoadUnsafe(ref s, (nuint)i);
                Sse2.Or(Ssse3.Shuffle(v, shuffle.GetLower()), alpha.GetLower()).StoreUnsafe(ref d, (nuint)i);
                i += 16;
            }

            i /= 4;
        }

        int r = plan.R * 8, g = plan.G * 8, b = plan.B * 8, a = plan.A * 8;
        uint alphaOr = plan.CopyAlpha ? 0u : 0xFF000000u;
        for (; i < pixels; i++)
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

    /// <summary>
    /// Y-tiled 32-bit formats: each 16-byte column of a tile row is four whole pixels, one
    /// 128-bit shuffle. Walking the columns directly saves the per-run dispatch of the general
    /// path, which at four pixels a run would cost more than the conversion.
    /// </summary>
    private static void YTiledRgb32(ReadOnlySpan<byte> src, in PlaneLayout layout, Span<byte> dst, int dstStride, in RowPlan plan)
    {
        Vector128<byte> shuffle = plan.Shuffle32.GetLower();
        Vector128<byte> alpha = plan.AlphaOr.GetLower();
        int columns = layout.Width / 4;
        int rest = layout.Width - (columns * 4);
        int tileRowBytes = layout.Stride * YTileRows;
        for (int y = 0; y < layout.Height; y++)
        {
            int rowBase = ((y / YTileRows) * tileRowBytes) + ((y % YTileRows) * YColumnWidth);
            Span<byte> dstRow = dst.Slice(y * dstStride, layout.Width * 4);
            for (int j = 0; j < columns; j++)
            {
                // Column j of the row: tile j / 8, column j % 8 of that tile (512 bytes apart).
                int offset = rowBase + ((j >> 3) * TileBytes) + ((j & 7) * YColumnWidth * YTileRows);
                Vector128<byte> v = Vector128.Create<byte>(src.Slice(offset, 16));
                Sse2.Or(Ssse3.Shuffle(v, shuffle), alpha).CopyTo(dstRow.Slice(j * 16, 16));
            }

            if (rest > 0)
            {
                int offset = rowBase + ((columns >> 3) * TileBytes) + ((columns & 7) * YColumnWidth * YTileRows);
                Rgb32(src.Slice(offset, rest * 4), dstRow.Slice(columns * 16), rest, plan);
            }
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
        int i = 0;
        if (plan.Vectorise)
        {
            Vector256<int> k16 = Vector256.Create(16);
            Vector256<int> k128 = Vector256.Create(128);
            Vector256<int> k255 = Vector256.Create(255);
            Vector256<int> opaque = Vector256.Create(unchecked((int)0xFF000000));
            // Bounds as in Rgb32: eight pixels read 16 whole bytes and write 32, inside the run.
            if (src.Length < pixels * 2 || dst.Length < pixels * 4)
            {
                throw new ArgumentException("a run is shorter than its pixels", nameof(src));
            }

            ref byte sp = ref MemoryMarshal.GetReference(src);
            ref byte dp = ref MemoryMarshal.GetReference(dst);
            for (; i <= pixels - 8; i += 8)
            {
                Vector128<byte> s = Vector128.LoadUnsafe(ref sp, (nuint)(i * 2));
                Vector256<int> c = (Avx2.ConvertToVector256Int32(Ssse3.Shuffle(s, plan.YGather)) - k16) * 298;
                Vector256<int> d = Avx2.ConvertToVector256Int32(Ssse3.Shuffle(s, plan.CbGather)) - k128;
                Vector256<int> e = Avx2.ConvertToVector256Int32(Ssse3.Shuffle(s, plan.CrGather)) - k128;
                Vector256<int> r = (c + (e * 409) + k128) >> 8;
                Vector256<int> g = (c - (d * 100) - (e * 208) + k128) >> 8;
                Vector256<int> b = (c + (d * 516) + k128) >> 8;
                r = Vector256.Min(Vector256.Max(r, Vector256<int>.Zero), k255);
                g = Vector256.Min(Vector256.Max(g, Vector256<int>.Zero), k255);
                b = Vector256.Min(Vector256.Max(b, Vector256<int>.Zero), k255);
                (r | (g << 8) | (b << 16) | opaque).AsByte().StoreUnsafe(ref dp, (nuint)(i * 4));
            }
        }

        YuvOrder o = plan.Format.Yuv;
        for (; i < pixels; i += 2)
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
