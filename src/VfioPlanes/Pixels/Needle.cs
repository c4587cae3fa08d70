using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VgpuView.VfioPlanes.Pixels;

/// <summary>A rectangle in needle coordinates.</summary>
public readonly record struct NeedleArea(int X, int Y, int Width, int Height);

/// <summary>
/// How a screen compared with a needle: whether the needle fitted on it, how many of the pixels
/// it cares about were compared and how many differed, and the first that differed (in screen
/// coordinates, with both colours as 0xRRGGBB).
/// </summary>
public readonly record struct NeedleResult(bool Fits, long Compared, long Differing, int FirstX, int FirstY, uint ScreenRgb, uint NeedleRgb)
{
    public bool Matches(long maxDiffering) => Fits && Differing <= maxDiffering;
}

/// <summary>
/// An expected picture: an RGBA image placed at (X, Y) on the screen. The pixels it cares about
/// are those inside its areas (all of it when none are given) whose alpha is not 0, so a needle
/// masks what changes (a clock, a cursor) by leaving it transparent. A pixel matches when each of
/// red, green and blue is within the tolerance; alpha is never compared (the screen is opaque).
/// Comparing allocates nothing and runs 8 pixels at a time where Vector256 is accelerated.
/// </summary>
public sealed class Needle
{
    private readonly byte[] _rgba;
    private readonly uint[] _care;

    public Needle(byte[] rgba, int width, int height, int x, int y, IReadOnlyList<NeedleArea>? areas)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        if (width <= 0 || height <= 0 || rgba.Length < (long)width * height * 4)
        {
            throw new ArgumentException($"a needle of {width}x{height} needs {(long)width * height * 4} bytes of RGBA, not {rgba.Length}", nameof(rgba));
        }

        if (x < 0 || y < 0)
        {
            throw new ArgumentException($"the needle's place on the screen ({x}, {y}) must not be negative");
        }

        _rgba = rgba;
        Width = width;
        Height = height;
        X = x;
        Y = y;
        _care = new uint[width * height];
        IReadOnlyList<NeedleArea> rects = areas is { Count: > 0 } ? areas : [new NeedleArea(0, 0, width, height)];
        foreach (NeedleArea a in rects)
        {
            if (a.Width <= 0 || a.Height <= 0 || a.X < 0 || a.Y < 0 || (long)a.X + a.Width > width || (long)a.Y + a.Height > height)
            {
                throw new ArgumentException($"area {a.X},{a.Y},{a.Width},{a.Height} does not lie inside the {width}x{height} needle");
            }

            for (int row = a.Y; row < a.Y + a.Height; row++)
            {
                for (int col = a.X; col < a.X + a.Width; col++)
                {
                    int i = (row * width) + col;
                    _care[i] = rgba[(i * 4) + 3] != 0 ? uint.MaxValue : 0;
                }
            }
        }

        foreach (uint c in _care)
        {
            Cared += c != 0 ? 1 : 0;
        }
    }

    public int Width { get; }

    public int Height { get; }

    public int X { get; }

    public int Y { get; }

    /// <summary>How many needle pixels are compared.</summary>
    public long Cared { get; }

    /// <summary>Compares the needle with a screen of RGBA rows (<paramref name="stride"/> bytes apart).</summary>
    public NeedleResult Compare(ReadOnlySpan<byte> screen, int width, int height, int stride, int tolerance)
    {
        if ((long)X + Width > width || (long)Y + Height > height || screen.Length < ((long)stride * (height - 1)) + (width * 4L))
        {
            return new NeedleResult(false, 0, Cared, -1, -1, 0, 0);
        }

        byte tol = (byte)Math.Clamp(tolerance, 0, 255);
        long differing = 0;
        int firstX = -1, firstY = -1;
        for (int row = 0; row < Height; row++)
        {
            ReadOnlySpan<byte> s = screen.Slice(((Y + row) * stride) + (X * 4), Width * 4);
            ReadOnlySpan<byte> n = _rgba.AsSpan(row * Width * 4, Width * 4);
            ReadOnlySpan<uint> care = _care.AsSpan(row * Width, Width);
            int rowDiffering = CountRow(s, n, care, tol);
            if (rowDiffering > 0 && firstX < 0)
            {
                firstX = X + FirstDifferent(s, n, care, tol);
                firstY = Y + row;
            }

            differing += rowDiffering;
        }

        uint screenRgb = 0, needleRgb = 0;
        if (firstX >= 0)
        {
            screenRgb = Rgb(screen.Slice((firstY * stride) + (firstX * 4)));
            needleRgb = Rgb(_rgba.AsSpan((((firstY - Y) * Width) + (firstX - X)) * 4));
        }

        return new NeedleResult(true, Cared, differing, firstX, firstY, screenRgb, needleRgb);
    }

    // Differing pixels of one row: |screen - needle| per byte above the tolerance in R, G or B,
    // for the pixels cared about.
    private static int CountRow(ReadOnlySpan<byte> screen, ReadOnlySpan<byte> needle, ReadOnlySpan<uint> care, byte tolerance)
    {
        int count = 0, px = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var tol = Vector256.Create(tolerance);
            Vector256<uint> rgbOnly = Vector256.Create(0x00FFFFFFu);
            ref byte sRef = ref MemoryMarshal.GetReference(screen);
            ref byte nRef = ref MemoryMarshal.GetReference(needle);
            ref uint cRef = ref MemoryMarshal.GetReference(care);
            for (; px + 8 <= care.Length; px += 8)
            {
                Vector256<byte> a = Vector256.LoadUnsafe(ref sRef, (nuint)(px * 4));
                Vector256<byte> b = Vector256.LoadUnsafe(ref nRef, (nuint)(px * 4));
                Vector256<byte> over = Vector256.GreaterThan(Vector256.Max(a, b) - Vector256.Min(a, b), tol);
                Vector256<uint> differs = over.AsUInt32() & rgbOnly & Vector256.LoadUnsafe(ref cRef, (nuint)px);
                count += BitOperations.PopCount(~Vector256.Equals(differs, Vector256<uint>.Zero).ExtractMostSignificantBits() & 0xFFu);
            }
        }

        for (; px < care.Length; px++)
        {
            count += care[px] != 0 && Differs(screen.Slice(px * 4), needle.Slice(px * 4), tolerance) ? 1 : 0;
        }

        return count;
    }

    private static int FirstDifferent(ReadOnlySpan<byte> screen, ReadOnlySpan<byte> needle, ReadOnlySpan<uint> care, byte tolerance)
    {
        for (int px = 0; px < care.Length; px++)
        {
            if (care[px] != 0 && Differs(screen.Slice(px * 4), needle.Slice(px * 4), tolerance))
            {
                return px;
            }
        }

        return -1;
    }

    private static bool Differs(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, byte tolerance) =>
        Math.Abs(a[0] - b[0]) > tolerance || Math.Abs(a[1] - b[1]) > tolerance || Math.Abs(a[2] - b[2]) > tolerance;

    private static uint Rgb(ReadOnlySpan<byte> p) => ((uint)p[0] << 16) | ((uint)p[1] << 8) | p[2];
}
