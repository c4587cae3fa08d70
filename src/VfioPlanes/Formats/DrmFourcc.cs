namespace VgpuView.VfioPlanes.Formats;

/// <summary>drm_fourcc.h format codes: fourcc_code(a, b, c, d) = a | b &lt;&lt; 8 | c &lt;&lt; 16 | d &lt;&lt; 24.</summary>
public static class DrmFourcc
{
    public const uint C8 = 'C' | ('8' << 8) | (' ' << 16) | (' ' << 24);
    public const uint RGB565 = 'R' | ('G' << 8) | ('1' << 16) | ('6' << 24);
    public const uint BGR565 = 'B' | ('G' << 8) | ('1' << 16) | ('6' << 24);
    public const uint RGB888 = 'R' | ('G' << 8) | ('2' << 16) | ('4' << 24);
    public const uint BGR888 = 'B' | ('G' << 8) | ('2' << 16) | ('4' << 24);
    public const uint XRGB8888 = 'X' | ('R' << 8) | ('2' << 16) | ('4' << 24);
    public const uint XBGR8888 = 'X' | ('B' << 8) | ('2' << 16) | ('4' << 24);
    public const uint RGBX8888 = 'R' | ('X' << 8) | ('2' << 16) | ('4' << 24);
    public const uint BGRX8888 = 'B' | ('X' << 8) | ('2' << 16) | ('4' << 24);
    public const uint ARGB8888 = 'A' | ('R' << 8) | ('2' << 16) | ('4' << 24);
    public const uint ABGR8888 = 'A' | ('B' << 8) | ('2' << 16) | ('4' << 24);
    public const uint XRGB2101010 = 'X' | ('R' << 8) | ('3' << 16) | ('0' << 24);
    public const uint XBGR2101010 = 'X' | ('B' << 8) | ('3' << 16) | ('0' << 24);
    public const uint ARGB2101010 = 'A' | ('R' << 8) | ('3' << 16) | ('0' << 24);
    public const uint ABGR2101010 = 'A' | ('B' << 8) | ('3' << 16) | ('0' << 24);
    public const uint YUYV = 'Y' | ('U' << 8) | ('Y' << 16) | ('V' << 24);
    public const uint YVYU = 'Y' | ('V' << 8) | ('Y' << 16) | ('U' << 24);
    public const uint UYVY = 'U' | ('Y' << 8) | ('V' << 16) | ('Y' << 24);
    public const uint VYUY = 'V' | ('Y' << 8) | ('U' << 16) | ('Y' << 24);

    /// <summary>The four characters, "XR24"; unprintable bytes as '?'. Allocates: for messages and output only.</summary>
    public static string ToText(uint fourcc)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char ch = (char)((fourcc >> (8 * i)) & 0xFF);
            c[i] = ch is >= ' ' and <= '~' ? ch : '?';
        }

        return new string(c);
    }

    /// <summary>Parses "XR24" (exactly four characters; a short code such as "C8" is padded with spaces) or a 0x hex value.</summary>
    public static bool TryParse(string text, out uint fourcc)
    {
        fourcc = 0;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return uint.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out fourcc);
        }

        if (text.Length is < 1 or > 4)
        {
            return false;
        }

        string padded = text.PadRight(4);
        foreach (char ch in padded)
        {
            if (ch is < ' ' or > '~')
            {
                return false;
            }
        }

        fourcc = padded[0] | ((uint)padded[1] << 8) | ((uint)padded[2] << 16) | ((uint)padded[3] << 24);
        return true;
    }
}

/// <summary>drm_fourcc.h format modifiers: vendor in the top 8 bits, vendor's code below.</summary>
public static class DrmModifier
{
    public const ulong Linear = 0;
    public const ulong Invalid = 0x00FFFFFFFFFFFFFF;
    private const ulong VendorIntel = 0x01UL << 56;

    /// <summary>I915_FORMAT_MOD_X_TILED: 512-byte by 8-row tiles, row-major.</summary>
    public const ulong I915XTiled = VendorIntel | 1;

    /// <summary>I915_FORMAT_MOD_Y_TILED: 128-byte by 32-row tiles made of 16-byte-wide columns.</summary>
    public const ulong I915YTiled = VendorIntel | 2;

    /// <summary>I915_FORMAT_MOD_Yf_TILED: not undone on the CPU.</summary>
    public const ulong I915YfTiled = VendorIntel | 3;

    public static string ToText(ulong modifier) => modifier switch
    {
        Linear => "LINEAR",
        I915XTiled => "I915_X_TILED",
        I915YTiled => "I915_Y_TILED",
        I915YfTiled => "I915_Yf_TILED",
        Invalid => "INVALID",
        _ => "0x" + modifier.ToString("x"),
    };

    /// <summary>Hex text as JSON output and the replay format carry it: "0x0", "0x100000000000001".</summary>
    public static string ToHex(ulong modifier) => "0x" + modifier.ToString("x");
}
