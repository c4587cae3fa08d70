// The test client's own view of an RFB pixel format, written from rfbproto 7.4 apart from the server's.
using System.Buffers.Binary;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>A PIXEL_FORMAT as the test client sends and decodes it.</summary>
internal sealed record TestPixelFormat(int Bpp, int Depth, bool BigEndian, int RMax, int GMax, int BMax, int RShift, int GShift, int BShift)
{
    public static TestPixelFormat Rgb888 { get; } = new(32, 24, false, 255, 255, 255, 16, 8, 0);

    /// <summary>Formats a client may ask for: 32, 16 and 8 bits, both byte orders, unusual shifts.</summary>
    public static TheoryData<string> Names { get; } = new(
        "rgb888le", "rgb888be", "bgr888le", "rgb888hi-le", "rgb888hi-be", "rgb565le", "rgb565be", "rgb555le", "bgr233", "rgb444be", "rgb101010-32");

    public static TestPixelFormat ByName(string name) => name switch
    {
        "rgb888le" => Rgb888,
        "rgb888be" => Rgb888 with { BigEndian = true },
        "bgr888le" => Rgb888 with { RShift = 0, BShift = 16 },
        "rgb888hi-le" => Rgb888 with { RShift = 24, GShift = 16, BShift = 8 },
        "rgb888hi-be" => Rgb888 with { BigEndian = true, RShift = 24, GShift = 16, BShift = 8 },
        "rgb565le" => new(16, 16, false, 31, 63, 31, 11, 5, 0),
        "rgb565be" => new(16, 16, true, 31, 63, 31, 11, 5, 0),
        "rgb555le" => new(16, 15, false, 31, 31, 31, 10, 5, 0),
        "bgr233" => new(8, 8, false, 7, 7, 3, 0, 3, 6),
        "rgb444be" => new(16, 12, true, 15, 15, 15, 8, 4, 0),
        "rgb101010-32" => new(32, 30, false, 1023, 1023, 1023, 20, 10, 0),
        _ => throw new ArgumentException(name),
    };

    public int Bytes => Bpp / 8;

    public byte[] ToBytes()
    {
        byte[] b = new byte[16];
        b[0] = (byte)Bpp;
        b[1] = (byte)Depth;
        b[2] = (byte)(BigEndian ? 1 : 0);
        b[3] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)RMax);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), (ushort)GMax);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(8), (ushort)BMax);
        b[10] = (byte)RShift;
        b[11] = (byte)GShift;
        b[12] = (byte)BShift;
        return b;
    }

    public static TestPixelFormat FromBytes(ReadOnlySpan<byte> b) => new(
        b[0], b[1], b[2] != 0, BinaryPrimitives.ReadUInt16BigEndian(b[4..]), BinaryPrimitives.ReadUInt16BigEndian(b[6..]),
        BinaryPrimitives.ReadUInt16BigEndian(b[8..]), b[10], b[11], b[12]);

    /// <summary>A pixel's value from its bytes in this format's byte order.</summary>
    public uint Read(ReadOnlySpan<byte> b) => Bpp switch
    {
        32 => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
        16 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
        _ => b[0],
    };

    /// <summary>
    /// The value an 8-bit RGB colour should have: each channel scaled to its maximum, rounded to
    /// nearest (c * max / 255 + 0.5, in floating point here), at its shift.
    /// </summary>
    public uint Expected(byte r, byte g, byte b) =>
        (Scaled(r, RMax) << RShift) | (Scaled(g, GMax) << GShift) | (Scaled(b, BMax) << BShift);

    /// <summary>The bits of a pixel value that hold colour; rfbproto 7.4 leaves the rest unused.</summary>
    public uint ChannelBits => (uint)(((ulong)RMax << RShift) | ((ulong)GMax << GShift) | ((ulong)BMax << BShift));

    private static uint Scaled(byte c, int max) => (uint)Math.Floor((c * (double)max / 255.0) + 0.5);

    /// <summary>
    /// Whether a ZRLE CPIXEL is 3 bytes (rfbproto 7.7.6: true colour, 32 bpp, depth at most 24,
    /// all colour bits in the low or the high three bytes), and which bytes of the pixel.
    /// </summary>
    public (bool Compact, bool Low) CPixel()
    {
        if (Bpp != 32 || Depth > 24)
        {
            return (false, false);
        }

        ulong bits = ((ulong)RMax << RShift) | ((ulong)GMax << GShift) | ((ulong)BMax << BShift);
        return bits <= 0xFFFFFF ? (true, true) : (bits & 0xFF) == 0 ? (true, false) : (false, false);
    }

    /// <summary>Whether a Tight TPIXEL is 3 bytes R, G, B (rfbproto 7.7.7).</summary>
    public bool TPixelRgb => Bpp == 32 && Depth == 24 && RMax == 255 && GMax == 255 && BMax == 255;
}
