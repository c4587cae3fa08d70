using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// The five PNG row filters (PNG spec 9.2), 32 bytes a step, the adaptive choice between them,
/// and their undoing for the reader (byte by byte, with the same Paeth predictor).
/// Encoding reads only raw bytes (the row and the row above), never its own output, so each step
/// is independent; the first <c>bpp</c> bytes (no left neighbour) and a short tail go byte by byte.
/// </summary>
internal static class PngFilters
{
    /// <summary>Filters <paramref name="raw"/> with <paramref name="filter"/> into <paramref name="output"/>, whose byte 0 gets the type.</summary>
    public static void Apply(PngFilter filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, Span<byte> output)
    {
        output[0] = (byte)filter;
        Span<byte> o = output.Slice(1, raw.Length);
        above = above.Slice(0, raw.Length);
        int n = raw.Length;
        switch (filter)
        {
            case PngFilter.None:
                raw.CopyTo(o);
                break;
            case PngFilter.Sub:
                raw.Slice(0, bpp).CopyTo(o);
                Subtract(raw.Slice(bpp), raw.Slice(0, n - bpp), o.Slice(bpp));
                break;
            case PngFilter.Up:
                Subtract(raw, above, o);
                break;
            case PngFilter.Average:
                Average(raw, above, bpp, o);
                break;
            default:
                Paeth(raw, above, bpp, o);
                break;
        }
    }

    /// <summary>
    /// The adaptive filter: all five applied into <paramref name="candidates"/> (one row each, type
    /// byte first), and the one whose bytes, read as signed, have the smallest sum of absolute
    /// values wins (the heuristic of PNG spec 12.8); ties go to the lower type.
    /// </summary>
    public static byte[] Choose(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, byte[][] candidates)
    {
        byte[] best = candidates[0];
        long bestSum = long.MaxValue;
        for (PngFilter f = PngFilter.None; f <= PngFilter.Paeth; f++)
        {
            byte[] row = candidates[(int)f];
            Apply(f, raw, above, bpp, row);
            long sum = SumOfAbs(row.AsSpan(1, raw.Length));
            if (sum < bestSum)
            {
                bestSum = sum;
                best = row;
            }
        }

        return best;
    }

    /// <summary>Σ |(sbyte)b|: one vector absolute value and a sum of absolute differences against zero per 32 bytes.</summary>
    public static long SumOfAbs(ReadOnlySpan<byte> row)
    {
        long sum = 0;
        int i = 0;
        if (Avx2.IsSupported)
        {
            Vector256<ulong> acc = Vector256<ulong>.Zero;
            for (; i <= row.Length - 32; i += 32)
            {
                // |-128| is 0x80 as a byte: 128, as it should be.
                Vector256<byte> magnitude = Vector256.Abs(Vector256.Create<byte>(row.Slice(i, 32)).AsSByte()).AsByte();
                acc += Avx2.SumAbsoluteDifferences(magnitude, Vector256<byte>.Zero).AsUInt64();
            }

            sum = (long)Vector256.Sum(acc);
        }

        for (; i < row.Length; i++)
        {
            sum += Math.Abs((int)(sbyte)row[i]);
        }

        return sum;
    }

    private static void Subtract(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> result)
    {
        int i = 0;
        for (; i <= x.Length - 32; i += 32)
        {
            (Vector256.Create<byte>(x.Slice(i, 32)) - Vector256.Create<byte>(y.Slice(i, 32))).CopyTo(result.Slice(i, 32));
        }

        for (; i < x.Length; i++)
        {
            result[i] = (byte)(x[i] - y[i]);
        }
    }

    /// <summary>Average: raw - floor((left + above) / 2); the floor of a mean of bytes is (a &amp; b) + ((a ^ b) &gt;&gt; 1), which cannot overflow.</summary>
    private static void Average(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, Span<byte> o)
    {
        int n = raw.Length;
        int i = 0;
        for (; i < Math.Min(bpp, n); i++)
        {
            o[i] = (byte)(raw[i] - (above[i] >> 1));
        }

        for (; i <= n - 32; i += 32)
        {
            Vector256<byte> a = Vector256.Create<byte>(raw.Slice(i - bpp, 32));
            Vector256<byte> b = Vector256.Create<byte>(above.Slice(i, 32));
            Vector256<byte> mean = (a & b) + ((a ^ b) >>> 1);
            (Vector256.Create<byte>(raw.Slice(i, 32)) - mean).CopyTo(o.Slice(i, 32));
        }

        for (; i < n; i++)
        {
            o[i] = (byte)(raw[i] - ((raw[i - bpp] + above[i]) >> 1));
        }
    }

    /// <summary>
    /// Paeth (PNG spec 9.4) in 16-bit lanes: with p = a + b - c, |p - a| = |b - c|, |p - b| = |a - c|
    /// and |p - c| = |(b - c) + (a - c)|; the nearest wins, ties going a, b, c.
    /// </summary>
    private static void Paeth(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> above, int bpp, Span<byte> o)
    {
        int n = raw.Length;
        int i = 0;
        for (; i < Math.Min(bpp, n); i++)
        {
            o[i] = (byte)(raw[i] - Paeth(0, above[i], 0));
        }

        for (; i <= n - 32; i += 32)
        {
            (Vector256<ushort> aLow, Vector256<ushort> aHigh) = Vector256.Widen(Vector256.Create<byte>(raw.Slice(i - bpp, 32)));
            (Vector256<ushort> bLow, Vector256<ushort> bHigh) = Vector256.Widen(Vector256.Create<byte>(above.Slice(i, 32)));
            (Vector256<ushort> cLow, Vector256<ushort> cHigh) = Vector256.Widen(Vector256.Create<byte>(above.Slice(i - bpp, 32)));
            Vector256<byte> predicted = Vector256.Narrow(
                Predict(aLow.AsInt16(), bLow.AsInt16(), cLow.AsInt16()).AsUInt16(),
                Predict(aHigh.AsInt16(), bHigh.AsInt16(), cHigh.AsInt16()).AsUInt16());
            (Vector256.Create<byte>(raw.Slice(i, 32)) - predicted).CopyTo(o.Slice(i, 32));
        }

        for (; i < n; i++)
        {
            o[i] = (byte)(raw[i] - Paeth(raw[i - bpp], above[i], above[i - bpp]));
        }
    }

    private static Vector256<short> Predict(Vector256<short> a, Vector256<short> b, Vector256<short> c)
    {
        Vector256<short> bc = b - c;
        Vector256<short> ac = a - c;
        Vector256<short> pa = Vector256.Abs(bc);
        Vector256<short> pb = Vector256.Abs(ac);
        Vector256<short> pc = Vector256.Abs(bc + ac);
        Vector256<short> takeA = Vector256.LessThanOrEqual(pa, pb) & Vector256.LessThanOrEqual(pa, pc);
        Vector256<short> takeB = Vector256.LessThanOrEqual(pb, pc);
        return Vector256.ConditionalSelect(takeA, a, Vector256.ConditionalSelect(takeB, b, c));
    }

    /// <summary>PNG spec 9.4: of a (left), b (above), c (upper left), the one nearest a + b - c; ties go a, b, c.</summary>
    internal static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Undoes the filter named by <paramref name="row"/>'s byte 0 in place, given the unfiltered row above (PNG spec 9.2).</summary>
    internal static void Unfilter(byte[] row, byte[] prior, int step, int y)
    {
        Span<byte> r = row.AsSpan(1);
        ReadOnlySpan<byte> up = prior.AsSpan(1);
        switch (row[0])
        {
            case 0:
                break;
            case 1:
                for (int i = step; i < r.Length; i++)
                {
                    r[i] += r[i - step];
                }

                break;
            case 2:
                for (int i = 0; i < r.Length; i++)
                {
                    r[i] += up[i];
                }

                break;
            case 3:
                for (int i = 0; i < r.Length; i++)
                {
                    int left = i >= step ? r[i - step] : 0;
                    r[i] += (byte)((left + up[i]) >> 1);
                }

                break;
            case 4:
                for (int i = 0; i < r.Length; i++)
                {
                    int a = i >= step ? r[i - step] : 0;
                    int c = i >= step ? up[i - step] : 0;
                    r[i] += (byte)Paeth(a, up[i], c);
                }

                break;
            default:
                throw new InvalidDataException($"row {y}: unknown filter type {row[0]}; PNG defines 0 to 4");
        }
    }
}
