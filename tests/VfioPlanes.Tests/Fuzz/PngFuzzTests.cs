using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Fuzz;

/// <summary>
/// 2,000 needles made by seeded mutations of valid PNGs of every colour type and bit depth:
/// broken CRCs, truncation, huge and zero dimensions, interlace, bad depths, chunks out of order
/// or missing, lengths past the end, and zlib bombs (a little IDAT that inflates to a huge image).
/// Each is decoded as `expect` decodes its needle: in memory, and every tenth through a file.
/// </summary>
public sealed class PngFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 4_2026_12;
    private const int Count = 2000;

    private static readonly (int Type, int Depth)[] s_kinds =
        [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];

    private static readonly uint[] s_crcTable = CrcTable();

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-fuzz-png-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedNeedles_DecodeOrFailWithOneCleanError()
    {
        var random = new Random(Seed);
        // 8 MiB of zero rows compressed once: an 8 KiB IDAT. A 4096x2048 grey image is what it
        // inflates to; larger ones are refused as too little data before anything is allocated.
        byte[] bomb = Deflate(new byte[8 << 20], CompressionLevel.SmallestSize);
        // A decoded needle is at most 8192x8192 RGBA (256 MiB); the bound adds the file and rows.
        var tally = new FuzzTally("PNG needle", output, _dir) { AllocationLimit = (256L << 20) + (8L << 20), TimeLimit = TimeSpan.FromSeconds(5) };
        string file = Path.Combine(_dir, "needle.png");
        for (int i = 0; i < Count; i++)
        {
            byte[] png = Mutate(random, bomb, out string how);
            bool throughFile = i % 10 == 0;
            if (throughFile)
            {
                File.WriteAllBytes(file, png);
            }

            tally.Try(how, () =>
            {
                PngImage image = throughFile ? PngReader.ReadFile(file) : PngReader.Decode(png);
                Assert.Equal((long)image.Width * image.Height * 4, image.Rgba.Length);
            }, e => e is InvalidDataException or InputException);
        }

        File.Delete(file);
        Assert.Equal([], Directory.EnumerateFileSystemEntries(_dir).Where(f => !f.EndsWith("fuzz-counts.txt", StringComparison.Ordinal)).ToArray());
        tally.Report();
        Assert.True(tally.Accepted > 100, "too few mutations were valid: the generator no longer reaches the decoder");
        Assert.True(tally.CleanErrors > 1000, "too few mutations were refused");
    }

    private static byte[] Mutate(Random random, byte[] bomb, out string how)
    {
        (int type, int depth) = s_kinds[random.Next(s_kinds.Length)];
        int width = 1 + random.Next(random.Next(10) == 0 ? 300 : 24);
        int height = 1 + random.Next(random.Next(10) == 0 ? 300 : 24);
        List<(string Type, byte[] Data)> chunks = Valid(random, type, depth, width, height);
        how = $"{width}x{height} type {type} depth {depth}";
        int choice = random.Next(16);
        switch (choice)
        {
            case 0:
            case 1:
                how += ", valid";
                break;
            case 2:
                how += ", IHDR size patched";
                Patch(chunks, 0, 0, (uint)Pick(random, [0, 1, 8192, 8193, 16384, 16385, int.MaxValue, -1]));
                Patch(chunks, 0, 4, (uint)Pick(random, [0, 1, 8192, 8193, 16384, 4096, int.MaxValue, -1]));
                break;
            case 3:
                how += ", IHDR byte patched";
                chunks[0].Data[8 + random.Next(5)] = (byte)Pick(random, [0, 1, 2, 3, 5, 7, 16, 32, 255]);
                break;
            case 4:
                how += ", zlib bomb";
                chunks.RemoveAll(c => c.Type == "IDAT");
                chunks.Insert(chunks.Count - 1, ("IDAT", bomb));
                (int w, int h) = Pick(random, [(4096, 2048), (4096, 4096), (8192, 8192), (16384, 4096), (16384, 16384), (65535, 65535)]);
                chunks[0] = ("IHDR", Ihdr(w, h, 8, 0));
                break;
            case 5:
                how += ", chunk dropped";
                chunks.RemoveAt(random.Next(chunks.Count));
                break;
            case 6:
                how += ", chunks swapped";
                int a = random.Next(chunks.Count), b = random.Next(chunks.Count);
                (chunks[a], chunks[b]) = (chunks[b], chunks[a]);
                break;
            case 7:
                how += ", chunk added";
                chunks.Insert(random.Next(1, chunks.Count), (Pick(random, ["IHDR", "PLTE", "tRNS", "IDAT", "IEND", "ABCD", "abcd", "a\u0001cd"]), RandomBytes(random, random.Next(40))));
                break;
            case 8:
                how += ", IDAT damaged";
                int idat = chunks.FindIndex(c => c.Type == "IDAT");
                byte[] data = chunks[idat].Data;
                if (data.Length > 0)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 9:
                how += ", IDAT replaced";
                chunks[chunks.FindIndex(c => c.Type == "IDAT")] = ("IDAT", RandomBytes(random, random.Next(200)));
                break;
            default:
                break;
        }

        byte[] png = Serialize(chunks);
        switch (choice)
        {
            case 10:
                how += ", truncated";
                return png[..random.Next(png.Length)];
            case 11:
                how += ", byte flipped (CRC now wrong)";
                png[random.Next(png.Length)] ^= (byte)(1 << random.Next(8));
                return png;
            case 12:
                how += ", a length past the end";
                BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), (uint)Pick(random, [int.MaxValue, -1, 1 << 30, 100000]));
                return png;
            case 13:
                how += ", bytes after IEND";
                return [.. png, .. RandomBytes(random, random.Next(100))];
            case 14:
                how += ", random bytes";
                return random.Next(2) == 0 ? RandomBytes(random, random.Next(64)) : [.. png[..8], .. RandomBytes(random, random.Next(200))];
            default:
                return png;
        }
    }

    // A valid PNG: IHDR, PLTE (and tRNS) as the colour type wants, IDAT with rows of random filters and bytes, IEND.
    private static List<(string Type, byte[] Data)> Valid(Random random, int type, int depth, int width, int height)
    {
        var chunks = new List<(string, byte[])> { ("IHDR", Ihdr(width, height, depth, type)) };
        int channels = type switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        if (type == 3)
        {
            int entries = 1 + random.Next(1 << depth);
            chunks.Add(("PLTE", RandomBytes(random, entries * 3)));
            if (random.Next(2) == 0)
            {
                chunks.Add(("tRNS", RandomBytes(random, random.Next(entries + 1))));
            }
        }
        else if (type is 0 or 2 && random.Next(3) == 0)
        {
            chunks.Add(("tRNS", RandomBytes(random, type == 0 ? 2 : 6)));
        }

        int rowBytes = ((width * channels * depth) + 7) / 8;
        byte[] raw = new byte[height * (rowBytes + 1)];
        random.NextBytes(raw);
        for (int y = 0; y < height; y++)
        {
            raw[y * (rowBytes + 1)] = (byte)random.Next(5);
        }

        if (type == 3)
        {
            // Indexes within the palette: keep them small.
            for (int i = 0; i < raw.Length; i++)
            {
                if (i % (rowBytes + 1) != 0)
                {
                    raw[i] = 0;
                }
            }
        }

        chunks.Add(("IDAT", Deflate(raw, CompressionLevel.Fastest)));
        chunks.Add(("IEND", []));
        return chunks;
    }

    private static byte[] Ihdr(int width, int height, int depth, int type)
    {
        byte[] data = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(data, width);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), height);
        data[8] = (byte)depth;
        data[9] = (byte)type;
        return data;
    }

    private static void Patch(List<(string Type, byte[] Data)> chunks, int index, int offset, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(chunks[index].Data.AsSpan(offset), value);

    private static byte[] Serialize(List<(string Type, byte[] Data)> chunks)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> word = stackalloc byte[4];
        foreach ((string type, byte[] data) in chunks)
        {
            byte[] typeBytes = Encoding.Latin1.GetBytes(type.PadRight(4)[..4]);
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            png.Write(typeBytes);
            png.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc([.. typeBytes, .. data]));
            png.Write(word);
        }

        return png.ToArray();
    }

    private static byte[] Deflate(byte[] raw, CompressionLevel level)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, level, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return output.ToArray();
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        byte[] bytes = new byte[n];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    // PNG spec annex D: CRC-32 of ISO 3309, reflected, polynomial 0xEDB88320.
    private static uint Crc(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c = s_crcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFF;
    }

    private static uint[] CrcTable()
    {
        uint[] table = new uint[256];
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
