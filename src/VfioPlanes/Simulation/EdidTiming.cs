namespace VgpuView.VfioPlanes.Simulation;

/// <summary>Reads the preferred mode out of an EDID blob, as a monitor's first detailed timing gives it.</summary>
internal static class EdidTiming
{
    private static ReadOnlySpan<byte> Header => [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];

    /// <summary>
    /// EDID 1.x base block (VESA E-EDID): an 8-byte header, and at byte 54 the first detailed timing
    /// descriptor, which is the preferred mode. In it, bytes 0-1 are the pixel clock (0 means the
    /// descriptor is not a timing), byte 2 the low 8 bits of the horizontal active pixels and the
    /// high nibble of byte 4 its top 4 bits; bytes 5 and 7 the same for the vertical active lines.
    /// </summary>
    internal static bool TryGetPreferredMode(ReadOnlySpan<byte> edid, out SimMode mode)
    {
        mode = default;
        if (edid.Length < 128 || !edid[..8].SequenceEqual(Header))
        {
            return false;
        }

        ReadOnlySpan<byte> dtd = edid.Slice(54, 18);
        if (dtd[0] == 0 && dtd[1] == 0)
        {
            return false;
        }

        int width = dtd[2] | (dtd[4] >> 4) << 8;
        int height = dtd[5] | (dtd[7] >> 4) << 8;
        if (width == 0 || height == 0)
        {
            return false;
        }

        mode = new SimMode(width, height);
        return true;
    }
}
