namespace VgpuView.Tests.Shared;

/// <summary>EDID blocks assembled by hand from VESA E-EDID, for tests that need one the code under test did not make.</summary>
public static class EdidSamples
{
    /// <summary>
    /// An EDID 1.4 base block: vendor "RHT" (R = 18, H = 8, T = 20: 0b0_10010_01000_10100 =
    /// 0x4914), product 0x1234, and as its first detailed timing VESA DMT 1024x768 at 60 Hz:
    /// 65.00 MHz (6500 x 10 kHz = 0x1964), 1024 active + 320 blanking = 1344 per line, 768
    /// active + 38 blanking = 806 lines; then a monitor name descriptor, "vgpu test".
    /// </summary>
    public static byte[] Dmt1024x768()
    {
        byte[] e = new byte[128];
        byte[] start = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x49, 0x14, 0x34, 0x12];
        start.CopyTo(e, 0);
        e[18] = 1;
        e[19] = 4;
        byte[] timing = [0x64, 0x19, 0x00, 0x40, 0x41, 0x00, 0x26, 0x30];
        timing.CopyTo(e, 54);
        byte[] name = [0x00, 0x00, 0x00, 0xFC, 0x00, (byte)'v', (byte)'g', (byte)'p', (byte)'u', (byte)' ', (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0x0A, 0x20, 0x20, 0x20];
        name.CopyTo(e, 72);
        e[127] = Checksum(e);
        return e;
    }

    /// <summary>The byte that makes the first 128 bytes of <paramref name="e"/> sum to 0 mod 256.</summary>
    public static byte Checksum(byte[] e)
    {
        int sum = 0;
        for (int i = 0; i < 127; i++)
        {
            sum += e[i];
        }

        return (byte)((256 - (sum % 256)) % 256);
    }
}
