using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

/// <summary>A minimal PNG chunk reader with its own table-driven CRC-32, to check the file structure independently of the writer and reader.</summary>
internal static class PngChunks
{
    private static readonly uint[] s_table = BuildTable();

    public static List<(string Type, byte[] Data)> Read(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<(string, byte[])>();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            byte[] typeAndData = png[(at + 4)..(at + 8 + length)];
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            string type = Encoding.ASCII.GetString(typeAndData, 0, 4);
            Assert.True(Crc(typeAndData) == crc, $"CRC of chunk {type} at {at}");
            chunks.Add((type, typeAndData[4..]));
            at += 12 + length;
        }

        Assert.Equal(png.Length, at);
        Assert.Equal("IHDR", chunks[0].Item1);
        Assert.Equal("IEND", chunks[^1].Item1);
        return chunks;
    }

    private static uint Crc(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c = s_table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFF;
    }

    private static uint[] BuildTable()
    {
        // PNG spec, annex D: the reflected polynomial 0xEDB88320.
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
