// The converter's vector kernels: 32 source bytes of one format family to RGBA.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Pixels;

public static partial class PixelConverter
{
    /// <summary>
    /// The vector conversion of one format family: 32 source bytes (two 16-byte Y tile columns, or
    /// a stretch of a linear run) to RGBA. Every family's pixel group divides 16 bytes, so a column
    /// is whole pixels, and the first half of the output always comes from the first 16 bytes.
    /// </summary>
    internal interface IColumnKernel
    {
        /// <summary>Pixels in 16 source bytes; they make 4 * PixelsPer16 bytes of RGBA.</summary>
        int PixelsPer16 { get; }

        /// <summary>Converts <paramref name="src"/> into 8 * PixelsPer16 bytes at <paramref name="dst"/>.</summary>
        void Convert32(Vector256<byte> src, ref byte dst);

        /// <summary>
        /// As <see cref="Convert32"/>, but the pixels of the first 16 bytes go to <paramref name="first"/>
        /// and those of the last 16 to <paramref name="second"/>: two rows of one Y tile column.
        /// </summary>
        void Convert32Split(Vector256<byte> src, ref byte first, ref byte second);

        /// <summary>Whether <see cref="Convert64"/> is a 512-bit conversion the linear walk should prefer.</summary>
        bool Wide { get; }

        /// <summary>
        /// Whether the X tile walk should prefer <see cref="Convert64"/> too (the Y tile walk takes
        /// two rows of one 16-byte column a step, always in 256 bits). An X tile row is a 512-byte
        /// stretch, and for a kernel whose 512-bit step is little work the 256-bit steps measured
        /// faster there: X-tiled XR30 took 1.5-1.8x memcpy's time in 256-bit steps, 2.0-2.9x wide.
        /// </summary>
        bool WideInTiles { get; }

        /// <summary>Converts 64 source bytes into 16 * PixelsPer16 bytes; only called when <see cref="Wide"/> or <see cref="WideInTiles"/>.</summary>
        void Convert64(Vector512<byte> src, ref byte dst);
    }

    /// <summary>Whether the vector walkers have a kernel for this plan's format (AVX2 and a family that fits).</summary>
    private static bool HasKernel(in RowPlan plan)
    {
        if (!plan.Vectorise)
        {
            return false;
        }

        FormatInfo f = plan.Format;
        return f.Layout switch
        {
            FormatLayout.Rgb32 or FormatLayout.Yuv422 => true,

            // Channels of 8 bits or more keep their top 8 bits; alpha, when copied, is 2 bits.
            FormatLayout.Rgb30 => f.Rgb.Red.Bits >= 8 && f.Rgb.Green.Bits >= 8 && f.Rgb.Blue.Bits >= 8 &&
                                  (!plan.CopyAlpha || f.Rgb.Alpha.Bits == 2),

            // Narrow channels of 4 to 8 bits widen by repeating their bits once: v << (8 - n) | v >> (2n - 8).
            FormatLayout.Packed16 => f.Rgb.Red.Bits is >= 4 and <= 8 && f.Rgb.Green.Bits is >= 4 and <= 8 && f.Rgb.Blue.Bits is >= 4 and <= 8,
            _ => false,
        };
    }

    /// <summary>Rgb32: one byte shuffle per 128-bit lane, alpha forced with an OR where it is not copied.</summary>
    internal readonly struct Rgb32Kernel(in RowPlan plan) : IColumnKernel
    {
        private readonly Vector256<byte> _shuffle = plan.Shuffle32;
        private readonly Vector256<byte> _alpha = plan.AlphaOr;

        public int PixelsPer16 => 4;

        public bool Wide => false;

        public bool WideInTiles => false;

        public void Convert64(Vector512<byte> src, ref byte dst) => throw new NotSupportedException();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32(Vector256<byte> src, ref byte dst) =>
            Avx2.Or(Avx2.Shuffle(src, _shuffle), _alpha).StoreUnsafe(ref dst);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32Split(Vector256<byte> src, ref byte first, ref byte second) =>
            StoreSplit(Avx2.Or(Avx2.Shuffle(src, _shuffle), _alpha), ref first, ref second);
    }

    /// <summary>
    /// Rgb30: each colour channel's top 8 bits moved to its RGBA byte with two shifts and a mask;
    /// a copied 2-bit alpha a becomes a * 0x55 (bit replication) in the top byte.
    /// </summary>
    internal readonly struct Rgb30Kernel : IColumnKernel
    {
        // Shift counts sit in vectors: a count from a field would be masked and moved per use.
        private readonly Vector128<uint> _rRight, _rLeft, _gRight, _gLeft, _bRight, _bLeft, _aShift;
        private readonly Vector256<uint> _alphaScale;
        private readonly Vector256<uint> _alphaOr;
        private readonly bool _wide;

        public Rgb30Kernel(in RowPlan plan)
        {
            _wide = plan.Wide;
            RgbFields f = plan.Format.Rgb;
            (_rRight, _rLeft) = Move(f.Red, 0);
            (_gRight, _gLeft) = Move(f.Green, 8);
            (_bRight, _bLeft) = Move(f.Blue, 16);
            _aShift = Vector128.CreateScalar((uint)f.Alpha.Shift);
            _alphaScale = Vector256.Create(plan.CopyAlpha ? 0x55000000u : 0u);
            _alphaOr = Vector256.Create(plan.CopyAlpha ? 0u : 0xFF000000u);
        }

        public int PixelsPer16 => 4;

        public bool Wide => _wide;

        public bool WideInTiles => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert64(Vector512<byte> src, ref byte dst)
        {
            Vector512<uint> w = src.AsUInt32();
            Vector512<uint> r = Avx512F.ShiftLeftLogical(Avx512F.ShiftRightLogical(w, _rRight), _rLeft) & Vector512.Create(0xFFu);
            Vector512<uint> g = Avx512F.ShiftLeftLogical(Avx512F.ShiftRightLogical(w, _gRight), _gLeft) & Vector512.Create(0xFF00u);
            Vector512<uint> b = Avx512F.ShiftLeftLogical(Avx512F.ShiftRightLogical(w, _bRight), _bLeft) & Vector512.Create(0xFF0000u);
            Vector512<uint> a = (Avx512F.ShiftRightLogical(w, _aShift) & Vector512.Create(3u)) * Vector512.Create(_alphaScale, _alphaScale) | Vector512.Create(_alphaOr, _alphaOr);
            (r | g | b | a).AsByte().StoreUnsafe(ref dst);
        }

        // Shifts that bring the field's top 8 bits to bit 'to': one of them is 0.
        private static (Vector128<uint> Right, Vector128<uint> Left) Move(ChannelField field, int to)
        {
            int top = field.Shift + field.Bits - 8;
            return (Vector128.CreateScalar((uint)Math.Max(0, top - to)), Vector128.CreateScalar((uint)Math.Max(0, to - top)));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32(Vector256<byte> src, ref byte dst) => Rgba(src).StoreUnsafe(ref dst);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32Split(Vector256<byte> src, ref byte first, ref byte second) => StoreSplit(Rgba(src), ref first, ref second);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<byte> Rgba(Vector256<byte> src)
        {
            Vector256<uint> w = src.AsUInt32();
            Vector256<uint> r = Avx2.ShiftLeftLogical(Avx2.ShiftRightLogical(w, _rRight), _rLeft) & Vector256.Create(0xFFu);
            Vector256<uint> g = Avx2.ShiftLeftLogical(Avx2.ShiftRightLogical(w, _gRight), _gLeft) & Vector256.Create(0xFF00u);
            Vector256<uint> b = Avx2.ShiftLeftLogical(Avx2.ShiftRightLogical(w, _bRight), _bLeft) & Vector256.Create(0xFF0000u);
            Vector256<uint> a = (Avx2.ShiftRightLogical(w, _aShift) & Vector256.Create(3u)) * _alphaScale | _alphaOr;
            return (r | g | b | a).AsByte();
        }
    }

    /// <summary>
    /// Packed16: sixteen 16-bit words; each channel widened to 8 bits in 16-bit lanes, then R|G and
    /// B|FF paired and interleaved into RGBA words.
    /// </summary>
    internal readonly struct Packed16Kernel : IColumnKernel
    {
        // Per channel: the shift down to bit 0, the field mask, and the two shifts of the widening.
        // Shift counts sit in vectors: a count from a field would be masked and moved per use.
        private readonly Vector128<ushort> _rDown, _rUp, _rBack, _gDown, _gUp, _gBack, _bDown, _bUp, _bBack;
        private readonly Vector256<ushort> _rMask, _gMask, _bMask;

        public Packed16Kernel(in RowPlan plan)
        {
            RgbFields f = plan.Format.Rgb;
            (_rDown, _rMask, _rUp, _rBack) = Counts(f.Red);
            (_gDown, _gMask, _gUp, _gBack) = Counts(f.Green);
            (_bDown, _bMask, _bUp, _bBack) = Counts(f.Blue);
        }

        public int PixelsPer16 => 8;

        public bool Wide => false;

        public bool WideInTiles => false;

        public void Convert64(Vector512<byte> src, ref byte dst) => throw new NotSupportedException();

        private static (Vector128<ushort> Down, Vector256<ushort> Mask, Vector128<ushort> Up, Vector128<ushort> Back) Counts(ChannelField f) =>
            (Vector128.CreateScalar((ushort)f.Shift), Vector256.Create((ushort)((1 << f.Bits) - 1)),
             Vector128.CreateScalar((ushort)(8 - f.Bits)), Vector128.CreateScalar((ushort)((2 * f.Bits) - 8)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ushort> Widen(Vector256<ushort> w, Vector128<ushort> down, Vector256<ushort> mask, Vector128<ushort> up, Vector128<ushort> back)
        {
            Vector256<ushort> v = Avx2.ShiftRightLogical(w, down) & mask;
            return Avx2.ShiftLeftLogical(v, up) | Avx2.ShiftRightLogical(v, back);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32(Vector256<byte> src, ref byte dst) => Convert32Split(src, ref dst, ref Unsafe.Add(ref dst, 32));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32Split(Vector256<byte> src, ref byte first, ref byte second)
        {
            Vector256<ushort> w = src.AsUInt16();
            Vector256<ushort> rg = Widen(w, _rDown, _rMask, _rUp, _rBack) | Avx2.ShiftLeftLogical(Widen(w, _gDown, _gMask, _gUp, _gBack), 8);
            Vector256<ushort> ba = Widen(w, _bDown, _bMask, _bUp, _bBack) | Vector256.Create((ushort)0xFF00);
            StoreInterleaved(Avx2.UnpackLow(rg, ba).AsByte(), Avx2.UnpackHigh(rg, ba).AsByte(), ref first, ref second);
        }
    }

    /// <summary>
    /// Yuv422: sixteen pixels in 16-bit lanes. The integer rule (298 C + 409 E + 128) &gt;&gt; 8 and
    /// its kin need 17 bits, so each is split as 256 k + m, which floors exactly to k + (m &gt;&gt; 8):
    /// R = C + E + ((42 C + 153 E + 128) &gt;&gt; 8),
    /// G = C - E + ((42 C - 100 D + 48 E + 128) &gt;&gt; 8),
    /// B = C + 2 D + ((42 C + 4 D + 128) &gt;&gt; 8);
    /// with C in -16..239 and D, E in -128..127 every m stays within -20128..29597 (and, with the
    /// -16 of C folded in as -4096, within -24224..25501). Packing to bytes with unsigned
    /// saturation is the clamp to 0..255.
    /// </summary>
    internal readonly struct Yuv422Kernel : IColumnKernel
    {
        // Quadword order of the 512-bit output: pixels 0-3, 4-7 (lane 0's two unpacks), 8-11, 12-15, ...
        private static readonly Vector512<ulong> s_first = Vector512.Create(0ul, 1, 8, 9, 2, 3, 10, 11);
        private static readonly Vector512<ulong> s_second = Vector512.Create(4ul, 5, 12, 13, 6, 7, 14, 15);

        private readonly Vector256<byte> _y;
        private readonly Vector256<byte> _cb;
        private readonly Vector256<byte> _cr;
        private readonly bool _wide;

        public Yuv422Kernel(in RowPlan plan)
        {
            _wide = plan.Wide;
            // Per 128-bit lane, eight pixels: pixel p's byte into the low byte of 16-bit lane p.
            Span<byte> y = stackalloc byte[32];
            Span<byte> cb = stackalloc byte[32];
            Span<byte> cr = stackalloc byte[32];
            YuvOrder o = plan.Format.Yuv;
            for (int lane = 0; lane < 32; lane += 16)
            {
                for (int p = 0; p < 8; p++)
                {
                    int pair = p / 2 * 4;
                    int at = lane + (p * 2);
                    y[at] = (byte)(pair + (p % 2 == 0 ? o.Y0 : o.Y1));
                    cb[at] = (byte)(pair + o.Cb);
                    cr[at] = (byte)(pair + o.Cr);
                    y[at + 1] = cb[at + 1] = cr[at + 1] = 0x80;
                }
            }

            _y = Vector256.Create<byte>(y);
            _cb = Vector256.Create<byte>(cb);
            _cr = Vector256.Create<byte>(cr);
        }

        public int PixelsPer16 => 8;

        public bool Wide => _wide;

        public bool WideInTiles => _wide;

        /// <summary>The same arithmetic as <see cref="Convert32"/> on 32 pixels; the lanes are put in order by one two-source permute per half.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert64(Vector512<byte> src, ref byte dst)
        {
            Vector512<short> y = Avx512BW.Shuffle(src, Vector512.Create(_y, _y)).AsInt16();
            Vector512<short> d = Avx512BW.Shuffle(src, Vector512.Create(_cb, _cb)).AsInt16() - Vector512.Create((short)128);
            Vector512<short> e = Avx512BW.Shuffle(src, Vector512.Create(_cr, _cr)).AsInt16() - Vector512.Create((short)128);
            Vector512<short> t = (y * 42) - Vector512.Create((short)4640);
            Vector512<short> r = y + e + ((t + (e * 153)) >> 8);
            Vector512<short> g = y - e + ((t - (d * 100) + (e * 48)) >> 8);
            Vector512<short> b = y + d + d + ((t + (d << 2)) >> 8);
            Vector512<byte> rg = Avx512BW.PackUnsignedSaturate(r, g);
            Vector512<byte> ba = Avx512BW.PackUnsignedSaturate(b, Vector512.Create((short)255));
            Vector512<byte> rb = Avx512BW.UnpackLow(rg, ba);
            Vector512<byte> ga = Avx512BW.UnpackHigh(rg, ba);
            Vector512<ulong> low = Avx512BW.UnpackLow(rb, ga).AsUInt64();
            Vector512<ulong> high = Avx512BW.UnpackHigh(rb, ga).AsUInt64();
            Avx512F.PermuteVar8x64x2(low, s_first, high).AsByte().StoreUnsafe(ref dst);
            Avx512F.PermuteVar8x64x2(low, s_second, high).AsByte().StoreUnsafe(ref dst, 64);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32(Vector256<byte> src, ref byte dst) => Convert32Split(src, ref dst, ref Unsafe.Add(ref dst, 32));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Convert32Split(Vector256<byte> src, ref byte first, ref byte second)
        {
            // Y - 16 is folded into the constant: (X >> 8) - 16 = (X - 4096) >> 8, so with
            // t = 42 Y - 4640 (that is 42 C + 128 - 4096) R = Y + E + ((t + 153 E) >> 8), and so on.
            Vector256<short> y = Avx2.Shuffle(src, _y).AsInt16();
            Vector256<short> d = Avx2.Shuffle(src, _cb).AsInt16() - Vector256.Create((short)128);
            Vector256<short> e = Avx2.Shuffle(src, _cr).AsInt16() - Vector256.Create((short)128);
            Vector256<short> t = (y * 42) - Vector256.Create((short)4640);
            Vector256<short> r = y + e + ((t + (e * 153)) >> 8);
            Vector256<short> g = y - e + ((t - (d * 100) + (e * 48)) >> 8);
            Vector256<short> b = y + d + d + ((t + (d << 2)) >> 8);

            // Per lane: rg = R0..7 G0..7, ba = B0..7 then 255s; two rounds of byte interleaving give R G B A.
            Vector256<byte> rg = Avx2.PackUnsignedSaturate(r, g);
            Vector256<byte> ba = Avx2.PackUnsignedSaturate(b, Vector256.Create((short)255));
            Vector256<byte> rb = Avx2.UnpackLow(rg, ba);
            Vector256<byte> ga = Avx2.UnpackHigh(rg, ba);
            StoreInterleaved(Avx2.UnpackLow(rb, ga), Avx2.UnpackHigh(rb, ga), ref first, ref second);
        }
    }

    /// <summary>
    /// Stores sixteen RGBA pixels given per lane as pixels 0-3 and 8-11 (<paramref name="low"/>)
    /// and 4-7 and 12-15 (<paramref name="high"/>), as the 256-bit unpack instructions leave them:
    /// pixels 0-7 to <paramref name="first"/>, 8-15 to <paramref name="second"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInterleaved(Vector256<byte> low, Vector256<byte> high, ref byte first, ref byte second)
    {
        Avx2.Permute2x128(low, high, 0x20).StoreUnsafe(ref first);
        Avx2.Permute2x128(low, high, 0x31).StoreUnsafe(ref second);
    }

    /// <summary>Stores the low 128 bits at <paramref name="first"/>, the high at <paramref name="second"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSplit(Vector256<byte> rgba, ref byte first, ref byte second)
    {
        rgba.GetLower().StoreUnsafe(ref first);
        rgba.GetUpper().StoreUnsafe(ref second);
    }
}
