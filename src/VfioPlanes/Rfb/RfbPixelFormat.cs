// The RFB PIXEL_FORMAT a client asked for, its checks, and the conversion of RGBA8 into it.
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// An RFB pixel format (rfbproto 7.4): bits per pixel, depth, byte order, true colour and, for
/// true colour, each channel's maximum and shift. Only true colour is served: a colour-map
/// format is refused by <see cref="Check"/>, since the guest's screen has no palette to send.
/// </summary>
public readonly record struct RfbPixelFormat(
    byte BitsPerPixel, byte Depth, bool BigEndian, bool TrueColour,
    ushort RedMax, ushort GreenMax, ushort BlueMax, byte RedShift, byte GreenShift, byte BlueShift)
{
    /// <summary>32 bpp, depth 24, little endian, red in bits 16-23: what the server offers in ServerInit.</summary>
    public static RfbPixelFormat Default { get; } = new(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    public int BytesPerPixel => BitsPerPixel / 8;

    /// <summary>Reads the 16 bytes of a PIXEL_FORMAT.</summary>
    public static RfbPixelFormat Read(ReadOnlySpan<byte> b) => new(
        b[0], b[1], b[2] != 0, b[3] != 0,
        BinaryPrimitives.ReadUInt16BigEndian(b[4..]), BinaryPrimitives.ReadUInt16BigEndian(b[6..]),
        BinaryPrimitives.ReadUInt16BigEndian(b[8..]), b[10], b[11], b[12]);

    /// <summary>Writes the 16 bytes of a PIXEL_FORMAT (three bytes of padding are zero).</summary>
    public void Write(Span<byte> b)
    {
        b[..16].Clear();
        b[0] = BitsPerPixel;
        b[1] = Depth;
        b[2] = BigEndian ? (byte)1 : (byte)0;
        b[3] = TrueColour ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(b[4..], RedMax);
        BinaryPrimitives.WriteUInt16BigEndian(b[6..], GreenMax);
        BinaryPrimitives.WriteUInt16BigEndian(b[8..], BlueMax);
        b[10] = RedShift;
        b[11] = GreenShift;
        b[12] = BlueShift;
    }

    /// <summary>Null when the format can be served, else why not, in words for a log line.</summary>
    public string? Check()
    {
        if (BitsPerPixel is not (8 or 16 or 32))
        {
            return $"bits-per-pixel {BitsPerPixel} (RFB allows 8, 16 or 32)";
        }

        if (!TrueColour)
        {
            return "a colour-map pixel format (only true colour is served)";
        }

        if (Depth == 0 || Depth > BitsPerPixel)
        {
            return $"depth {Depth} with {BitsPerPixel} bits per pixel";
        }

        // Each maximum is 2^n - 1 and its bits, shifted, must lie inside the pixel.
        foreach ((ushort max, byte shift, string name) in new[] { (RedMax, RedShift, "red"), (GreenMax, GreenShift, "green"), (BlueMax, BlueShift, "blue") })
        {
            if (max == 0 || (max & (max + 1)) != 0)
            {
                return $"{name}-max {max} (must be 2^n - 1)";
            }

            if (shift + BitOperations.PopCount(max) > BitsPerPixel)
            {
                return $"{name} channel (max {max}, shift {shift}) outside a {BitsPerPixel}-bit pixel";
            }
        }

        return null;
    }

    /// <summary>Whether channels are 8 bits each at byte positions of a 32-bit pixel: the fast conversion applies.</summary>
    public bool IsByteAligned32 =>
        BitsPerPixel == 32 && RedMax == 255 && GreenMax == 255 && BlueMax == 255 &&
        RedShift % 8 == 0 && GreenShift % 8 == 0 && BlueShift % 8 == 0;

    /// <summary>One channel of 0-255 scaled to 0-max, rounded to nearest: (c * max + 127) / 255.</summary>
    public static uint Scale(uint c, uint max) => ((c * max) + 127) / 255;

    /// <summary>The pixel value of an RGB colour.</summary>
    public uint Pack(byte r, byte g, byte b) =>
        (Scale(r, RedMax) << RedShift) | (Scale(g, GreenMax) << GreenShift) | (Scale(b, BlueMax) << BlueShift);

    /// <summary>Converts <paramref name="count"/> RGBA8 pixels into pixel values (not yet in wire byte order).</summary>
    public void ToValues(ReadOnlySpan<byte> rgba, Span<uint> values)
    {
        ReadOnlySpan<uint> src = MemoryMarshal.Cast<byte, uint>(rgba)[..values.Length];
        int done = 0;
        if (IsByteAligned32 && Ssse3.IsSupported && src.Length >= 4)
        {
            done = ShuffleBytes(MemoryMarshal.AsBytes(src), MemoryMarshal.AsBytes(values));
            src = src[done..];
            values = values[done..];
        }

        if (RedMax == 255 && GreenMax == 255 && BlueMax == 255 && RedShift <= 24 && GreenShift <= 24 && BlueShift <= 24)
        {
            // RGBA8 little-endian as a uint is 0xAABBGGRR: mask each channel and move it.
            int rs = RedShift, gs = GreenShift - 8, bs = BlueShift - 16;
            for (int i = 0; i < src.Length; i++)
            {
                uint p = src[i];
                values[i] = ((p & 0xFF) << rs) | ShiftSigned(p & 0xFF00, gs) | ShiftSigned(p & 0xFF0000, bs);
            }

            return;
        }

        for (int i = 0; i < src.Length; i++)
        {
            uint p = src[i];
            values[i] = Pack((byte)p, (byte)(p >> 8), (byte)(p >> 16));
        }
    }

    // 8-bit channels at byte positions: each pixel value is a byte shuffle of the RGBA pixel
    // (PSHUFB, four pixels at a time; an index with its top bit set writes a zero byte). The
    // value's little-endian bytes are its bytes in memory, so byte RedShift / 8 takes R, and so on.
    private int ShuffleBytes(ReadOnlySpan<byte> rgba, Span<byte> values)
    {
        Span<byte> indices = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            int pixel = i & ~3, k = i & 3;
            indices[i] = k == RedShift / 8 ? (byte)pixel : k == GreenShift / 8 ? (byte)(pixel + 1) : k == BlueShift / 8 ? (byte)(pixel + 2) : (byte)0x80;
        }

        Vector128<byte> mask = Vector128.Create((ReadOnlySpan<byte>)indices);
        int bytes = rgba.Length & ~15;
        ref byte src = ref MemoryMarshal.GetReference(rgba);
        ref byte dst = ref MemoryMarshal.GetReference(values);
        for (int offset = 0; offset < bytes; offset += 16)
        {
            Ssse3.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)offset), mask).StoreUnsafe(ref dst, (nuint)offset);
        }

        return bytes / 4;
    }

    private static uint ShiftSigned(uint v, int shift) => shift >= 0 ? v << shift : v >> -shift;

    /// <summary>Writes pixel values in the client's byte order, <see cref="BytesPerPixel"/> bytes each.</summary>
    public void WritePixels(ReadOnlySpan<uint> values, Span<byte> dst)
    {
        switch (BitsPerPixel)
        {
            case 32 when BigEndian:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(dst[(i * 4)..], values[i]);
                }

                break;
            case 32:
                MemoryMarshal.AsBytes(values).CopyTo(dst);
                break;
            case 16:
                for (int i = 0; i < values.Length; i++)
                {
                    if (BigEndian)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(dst[(i * 2)..], (ushort)values[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(dst[(i * 2)..], (ushort)values[i]);
                    }
                }

                break;
            default:
                for (int i = 0; i < values.Length; i++)
                {
                    dst[i] = (byte)values[i];
                }

                break;
        }
    }

    /// <summary>Writes one pixel value in the client's byte order.</summary>
    public void WritePixel(RfbWriter w, uint value)
    {
        switch (BitsPerPixel)
        {
            case 32:
                if (BigEndian)
                {
                    w.U32(value);
                }
                else
                {
                    w.U32Le(value);
                }

                break;
            case 16:
                if (BigEndian)
                {
                    w.U16((ushort)value);
                }
                else
                {
                    w.U16Le((ushort)value);
                }

                break;
            default:
                w.U8((byte)value);
                break;
        }
    }
}
