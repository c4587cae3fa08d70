using System.Buffers.Binary;
using System.IO.Compression;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

/// <summary>
/// The image data compressed in independent pieces and joined into one zlib stream: decoders
/// (ImageMagick, the project's reader, zlib itself with its Adler-32 check) see the same pixels
/// as with one piece; the vector filters match the filter definitions byte for byte.
/// </summary>
public sealed class PngPiecesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-pieces-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>RFC 1950's Adler-32, byte by byte.</summary>
    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint s1 = 1, s2 = 0;
        foreach (byte b in data)
        {
            s1 = (s1 + b) % 65521;
            s2 = (s2 + s1) % 65521;
        }

        return (s2 << 16) | s1;
    }

    /// <summary>Flat areas, gradients, a noisy band and (when not opaque) varying alpha.</summary>
    private static byte[] Image(int width, int height, int seed, bool opaque)
    {
        var random = new Random(seed);
        byte[] rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 4;
                bool noise = y % 11 > 7 && x > width / 3;
                rgba[i] = noise ? (byte)random.Next(256) : (byte)(x < width / 2 ? 200 : x);
                rgba[i + 1] = noise ? (byte)random.Next(256) : (byte)(y * 3);
                rgba[i + 2] = (byte)((x / 8) ^ (y / 8));
                rgba[i + 3] = opaque ? (byte)255 : (byte)(x + (y * 7));
            }
        }

        return rgba;
    }

    private static byte[] Encode(byte[] rgba, int width, int height, PngOptions options, int pieces)
    {
        var output = new MemoryStream();
        new PngWriter { Pieces = pieces }.Write(output, rgba, width, height, width * 4, options);
        return output.ToArray();
    }

    /// <summary>The IDAT data inflated by zlib, which checks the stream's Adler-32 at its end.</summary>
    private static byte[] Inflate(byte[] png, out uint trailer)
    {
        byte[] idat = PngChunks.Read(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        trailer = BinaryPrimitives.ReadUInt32BigEndian(idat.AsSpan(idat.Length - 4));
        using var zlib = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        return raw.ToArray();
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1000, 999)]
    [InlineData(70000, 65521)]
    [InlineData(300000, 150001)]
    public void Adler32Combine_EqualsTheChecksumOfTheWhole(int length, int split)
    {
        byte[] data = new byte[length];
        new Random(length + split).NextBytes(data);
        if (length > 0)
        {
            data[0] = 255; // the largest byte values stress the modulo arithmetic
        }

        uint combined = PngDeflater.Adler32Combine(Adler32(data.AsSpan(0, split)), Adler32(data.AsSpan(split)), length - split);
        Assert.Equal(Adler32(data), combined);
    }

    [Theory]
    [InlineData(PngFilter.Up, 6, true)]
    [InlineData(PngFilter.Adaptive, 1, true)]
    [InlineData(PngFilter.Adaptive, 6, false)]
    [InlineData(PngFilter.Paeth, 0, false)]
    [InlineData(PngFilter.Average, 9, true)]
    [InlineData(PngFilter.Sub, 2, true)]
    [InlineData(PngFilter.None, 3, false)]
    public void ManyPieces_DecodeToTheSamePixelsAsOne(PngFilter filter, int level, bool opaque)
    {
        ImageMagick.Require();
        const int width = 301, height = 97;
        byte[] rgba = Image(width, height, level + (int)filter, opaque);
        var options = new PngOptions { Filter = filter, CompressionLevel = level };
        byte[] one = Inflate(Encode(rgba, width, height, options, pieces: 1), out _);
        foreach (int pieces in new[] { 2, 3, 7, 97, 200 })
        {
            byte[] png = Encode(rgba, width, height, options, pieces);

            // The filtered rows are the same bytes whatever the cut, and the joined stream's
            // Adler-32 is theirs.
            byte[] rows = Inflate(png, out uint trailer);
            Assert.Equal(one, rows);
            Assert.Equal(Adler32(rows), trailer);

            string path = Path.Combine(_dir, $"{filter}-{level}-{pieces}.png");
            File.WriteAllBytes(path, png);
            Assert.Equal(rgba, ImageMagick.DecodeRgba(path));
            PngImage decoded = PngReader.Decode(png);
            Assert.Equal(rgba, decoded.Rgba);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(9)]
    public void OnePiece_IsTheStreamZLibStreamMakes(int level)
    {
        // The pieces call .NET's zlib directly; in one piece the image data is exactly what a
        // ZLibStream at the same level and strategy makes of the same filtered rows, given one
        // row at a time (zlib-ng's output depends on how its input arrives). Level 0 is left out:
        // its stored blocks end where the caller's output buffer does.
        const int width = 301, height = 97;
        var options = new PngOptions { Filter = PngFilter.Adaptive, CompressionLevel = level };
        byte[] png = Encode(Image(width, height, level, opaque: true), width, height, options, pieces: 1);
        byte[] rows = Inflate(png, out _);
        var expected = new MemoryStream();
        using (var zlib = new ZLibStream(expected, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            for (int at = 0; at < rows.Length; at += (width * 3) + 1)
            {
                zlib.Write(rows, at, (width * 3) + 1);
            }
        }

        byte[] idat = PngChunks.Read(png).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        Assert.Equal(expected.ToArray(), idat);
    }

    [Fact]
    public void PieceCount_OneForATinyImageOrOneCore_UpToFourPerCoreOtherwise()
    {
        Assert.Equal(1, PngDeflater.PieceCount(1000, 64));
        Assert.Equal(1, PngDeflater.PieceCount(PngDeflater.MinPieceBytes * 2 - 1, 64));
        Assert.Equal(1, PngDeflater.PieceCount(100L << 20, 1));
        Assert.Equal(8, PngDeflater.PieceCount((1920 * 3 + 1) * 1080, 2));
        Assert.Equal(23, PngDeflater.PieceCount((1920 * 3 + 1) * 1080, 64)); // 6.2 MB in pieces of at least 256 KiB
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void VectorFilters_MatchTheirDefinitions(int bpp)
    {
        var random = new Random(bpp);
        foreach (int length in new[] { 3, 4, 5, 31, 32, 33, 35, 36, 63, 64, 65, 67, 100, 129, 1000 })
        {
            if (length < bpp)
            {
                continue;
            }

            byte[] raw = new byte[length];
            byte[] above = new byte[length];
            random.NextBytes(raw);
            random.NextBytes(above);
            for (PngFilter f = PngFilter.None; f <= PngFilter.Paeth; f++)
            {
                byte[] output = new byte[length + 1];
                PngFilters.Apply(f, raw, above, bpp, output);
                Assert.Equal((byte)f, output[0]);
                for (int i = 0; i < length; i++)
                {
                    int a = i >= bpp ? raw[i - bpp] : 0;
                    int b = above[i];
                    int c = i >= bpp ? above[i - bpp] : 0;
                    int p = a + b - c;
                    int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    int predicted = f switch
                    {
                        PngFilter.None => 0,
                        PngFilter.Sub => a,
                        PngFilter.Up => b,
                        PngFilter.Average => (a + b) / 2,
                        _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                    };
                    Assert.True((byte)(raw[i] - predicted) == output[i + 1], $"{f} bpp {bpp} length {length} byte {i}");
                }

                long sum = output.Skip(1).Sum(x => (long)Math.Abs((int)(sbyte)x));
                Assert.Equal(sum, PngFilters.SumOfAbs(output.AsSpan(1)));
            }
        }
    }
}
