using System.Buffers.Binary;
using System.Text;

namespace VgpuView.VfioPlanes.Edid;

/// <summary>
/// Builds the EDID a VMM presents for a chosen mode: an EDID 1.4 base block (VESA E-EDID) from
/// vendor "VGV" whose first detailed timing, the preferred mode, is that mode with reduced
/// blanking (160 pixels per line, as CVT-RB does, and at least 460 µs of vertical blanking),
/// followed by the monitor's name. Guest drivers take the preferred mode as the native one.
/// </summary>
public static class EdidBuilder
{
    public const ushort Product = 0x5649;
    public const int MinRefreshHz = 24;
    public const int MaxRefreshHz = 240;
    private const int HorizontalBlank = 160;
    private const double MinVerticalBlankSeconds = 460e-6;

    /// <summary>The block, or false with the reason the mode does not fit a detailed timing.</summary>
    public static bool TryForMode(int width, int height, int refreshHz, string name, out byte[]? edid, out string? problem)
    {
        edid = null;
        if (width is < 1 or > 4095 || height is < 1 or > 4095)
        {
            problem = $"{width}x{height} does not fit an EDID detailed timing, which holds 1 to 4095 pixels each way";
            return false;
        }

        if (refreshHz is < MinRefreshHz or > MaxRefreshHz)
        {
            problem = $"a refresh rate of {refreshHz} Hz is outside {MinRefreshHz} to {MaxRefreshHz}";
            return false;
        }

        // Lines of blanking that last 460 µs: VB >= 460 µs * refresh * (height + VB).
        double fraction = MinVerticalBlankSeconds * refreshHz;
        int verticalBlank = Math.Max(8, (int)Math.Ceiling(fraction * height / (1 - fraction)));
        long clock10kHz = (long)Math.Round((double)(width + HorizontalBlank) * (height + verticalBlank) * refreshHz / 10_000);
        if (clock10kHz > ushort.MaxValue || verticalBlank > 4095)
        {
            problem = $"{width}x{height} at {refreshHz} Hz needs a pixel clock of {clock10kHz / 100.0:F2} MHz, over the 655.35 MHz a detailed timing holds";
            return false;
        }

        byte[] e = new byte[EdidBlock.BlockSize];
        ((ReadOnlySpan<byte>)[0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]).CopyTo(e);
        // "VGV": V = 22, G = 7, V = 22, five bits each from 'A' = 1, big-endian.
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(8), (22 << 10) | (7 << 5) | 22);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(10), Product);
        e[16] = 1;    // week of manufacture
        e[17] = 36;   // year - 1990
        e[18] = 1;    // EDID 1.4
        e[19] = 4;
        e[20] = 0xA5; // digital input, 8 bits per colour, DisplayPort
        e[24] = 0x06; // RGB 4:4:4; the preferred timing is the native mode
        Span<byte> d = e.AsSpan(54, 18);
        BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)clock10kHz);
        d[2] = (byte)width;
        d[3] = HorizontalBlank & 0xFF;
        d[4] = (byte)(((width >> 8) << 4) | (HorizontalBlank >> 8));
        d[5] = (byte)height;
        d[6] = (byte)verticalBlank;
        d[7] = (byte)(((height >> 8) << 4) | (verticalBlank >> 8));
        d[8] = 48;                        // horizontal front porch
        d[9] = 32;                        // horizontal sync width
        d[10] = (3 << 4) | 4;             // vertical front porch 3, sync width 4
        d[17] = 0x1A;                     // digital separate sync, +hsync, -vsync
        Span<byte> descriptor = e.AsSpan(72, 18);
        descriptor[3] = 0xFC;             // monitor name: up to 13 characters, ended by a line feed
        descriptor[5..].Fill(0x20);
        byte[] text = Encoding.ASCII.GetBytes(name.Length > 12 ? name[..12] : name);
        text.CopyTo(descriptor[5..]);
        descriptor[5 + text.Length] = 0x0A;
        for (int at = 90; at < 126; at += 18)
        {
            e[at + 3] = 0x10;             // dummy descriptors
        }

        int sum = 0;
        for (int i = 0; i < 127; i++)
        {
            sum += e[i];
        }

        e[127] = (byte)((256 - (sum % 256)) % 256);
        edid = e;
        problem = null;
        return true;
    }
}
