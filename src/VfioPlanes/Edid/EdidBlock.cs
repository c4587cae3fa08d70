using System.Buffers.Binary;
using System.Text;

namespace VgpuView.VfioPlanes.Edid;

/// <summary>A detailed timing descriptor: the active size and the totals the refresh rate follows from.</summary>
/// <param name="Width">Horizontal active pixels.</param>
/// <param name="Height">Vertical active lines.</param>
/// <param name="PixelClockHz">The pixel clock (stored in units of 10 kHz).</param>
/// <param name="HorizontalTotal">Active plus blanking pixels per line.</param>
/// <param name="VerticalTotal">Active plus blanking lines per frame.</param>
public sealed record DetailedTiming(int Width, int Height, long PixelClockHz, int HorizontalTotal, int VerticalTotal)
{
    /// <summary>Frames per second, or 0 when the descriptor gives no blanking to count with.</summary>
    public double RefreshHz => HorizontalTotal > 0 && VerticalTotal > 0 ? (double)PixelClockHz / ((long)HorizontalTotal * VerticalTotal) : 0;

    public override string ToString() => RefreshHz > 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Width}x{Height} at {RefreshHz:F2} Hz")
        : $"{Width}x{Height}";
}

/// <summary>
/// What an EDID 1.x base block says about the monitor it describes (VESA E-EDID): the vendor,
/// the version, the monitor's name, and its preferred mode, which is the first detailed timing.
/// Only the 128-byte base block is read; extension blocks are counted, not parsed.
/// </summary>
public sealed record EdidBlock(
    string Vendor,
    ushort Product,
    byte Version,
    byte Revision,
    string? Name,
    DetailedTiming? Preferred,
    int Extensions,
    bool ChecksumOk)
{
    public const int BlockSize = 128;

    private static ReadOnlySpan<byte> Header => [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];

    /// <summary>
    /// Reads the base block at the start of <paramref name="edid"/>; false with a reason when it is
    /// not an EDID. A block with a wrong checksum is still read (and says so): the guest driver
    /// decides what to do with it, and seeing its contents is what tells why.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> edid, out EdidBlock? block, out string? problem)
    {
        block = null;
        if (edid.Length < BlockSize)
        {
            problem = $"{edid.Length} bytes, less than the {BlockSize}-byte EDID base block";
            return false;
        }

        if (!edid[..8].SequenceEqual(Header))
        {
            problem = $"not an EDID: it starts {Convert.ToHexString(edid[..8])}, not 00FFFFFFFFFFFF00";
            return false;
        }

        // Bytes 8-9: three letters of 5 bits each, 1 = 'A', big-endian.
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(edid[8..]);
        string vendor = new([Letter(id >> 10), Letter(id >> 5), Letter(id)]);
        DetailedTiming? preferred = null;
        string? name = null;
        for (int at = 54; at < 126; at += 18)
        {
            ReadOnlySpan<byte> d = edid.Slice(at, 18);
            int clock = d[0] | (d[1] << 8);
            if (clock != 0)
            {
                preferred ??= Timing(d, clock);
            }
            else if (d[3] == 0xFC)
            {
                name ??= Text(d[5..]);
            }
        }

        block = new EdidBlock(vendor, BinaryPrimitives.ReadUInt16LittleEndian(edid[10..]), edid[18], edid[19], name, preferred, edid[126], Sum(edid[..BlockSize]) == 0);
        problem = null;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="edid"/> is a whole EDID to give a device: a base block that
    /// parses and whose checksum holds, then exactly the extension blocks it declares (byte 126),
    /// each with a checksum that holds too; false with the reason, naming the block, when not.
    /// The base checksum is checked first, as only then can its extension count be trusted.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> edid, out string? problem)
    {
        if (!TryParse(edid, out EdidBlock? block, out problem))
        {
            return false;
        }

        int extensions = block!.Extensions;
        if (!ChecksumHolds(edid, 0, extensions, out problem))
        {
            return false;
        }

        if (edid.Length != (1 + extensions) * BlockSize)
        {
            string declared = extensions == 0 ? "no extension blocks" : extensions == 1 ? "1 extension block" : $"{extensions} extension blocks";
            problem = $"{edid.Length} bytes, but its base block declares {declared}: {(1 + extensions) * BlockSize} bytes expected";
            return false;
        }

        for (int index = 1; index <= extensions; index++)
        {
            if (!ChecksumHolds(edid, index, extensions, out problem))
            {
                return false;
            }
        }

        problem = null;
        return true;
    }

    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append(Vendor).Append(" 0x").Append(Product.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        if (Name is not null)
        {
            s.Append(" \"").Append(Name).Append('"');
        }

        s.Append(", EDID ").Append(Version).Append('.').Append(Revision);
        s.Append(Preferred is null ? ", no detailed timing" : $", preferred {Preferred}");
        if (Extensions > 0)
        {
            s.Append(", ").Append(Extensions).Append(Extensions == 1 ? " extension block" : " extension blocks");
        }

        if (!ChecksumOk)
        {
            s.Append(", bad checksum");
        }

        return s.ToString();
    }

    private static bool ChecksumHolds(ReadOnlySpan<byte> edid, int index, int extensions, out string? problem)
    {
        int sum = Sum(edid.Slice(index * BlockSize, BlockSize));
        problem = sum == 0 ? null
            : $"the checksum of block {index} ({(index == 0 ? "the base block" : $"extension {index} of {extensions}")}) is wrong: its {BlockSize} bytes sum to {sum} mod 256, not 0";
        return sum == 0;
    }

    // The sum of a block's bytes mod 256, which a valid block's last byte makes 0.
    private static int Sum(ReadOnlySpan<byte> block)
    {
        int sum = 0;
        foreach (byte b in block)
        {
            sum += b;
        }

        return sum % 256;
    }

    private static char Letter(int bits) => (char)('A' - 1 + (bits & 0x1F));

    // Bytes 0-1 the pixel clock in 10 kHz; 2 and 3 the low bytes of the horizontal active and
    // blanking, their top nibbles in byte 4; 5, 6 and 7 the same for the vertical.
    private static DetailedTiming Timing(ReadOnlySpan<byte> d, int clock)
    {
        int width = d[2] | ((d[4] >> 4) << 8), horizontalBlank = d[3] | ((d[4] & 0x0F) << 8);
        int height = d[5] | ((d[7] >> 4) << 8), verticalBlank = d[6] | ((d[7] & 0x0F) << 8);
        return new DetailedTiming(width, height, clock * 10_000L, width + horizontalBlank, height + verticalBlank);
    }

    // A display descriptor's 13 bytes of text end at a line feed and are padded with spaces.
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0x0A);
        ReadOnlySpan<byte> text = end < 0 ? bytes : bytes[..end];
        var s = new StringBuilder(text.Length);
        foreach (byte b in text)
        {
            s.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return s.ToString().TrimEnd();
    }
}
