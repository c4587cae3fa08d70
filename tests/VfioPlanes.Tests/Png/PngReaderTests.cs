using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

public sealed class PngReaderTests : IDisposable
{
    private const string Convert = "/usr/bin/convert";

    private static readonly uint[] s_crcTable = BuildCrcTable();

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-pngreader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ImageMagick-made files: (name, convert arguments before the output, colour type, bit depth, has tRNS).
    // Plasma and gradients give the filters something to predict; widths are odd so sub-byte rows end mid-byte.
    public static TheoryData<string, string, int, int, bool> Conversions => new()
    {
        { "grey1", "-size 37x23 gradient:black-white -colorspace Gray -define png:color-type=0 -define png:bit-depth=1", 0, 1, false },
        { "grey2", "-size 37x23 gradient:black-white -colorspace Gray -define png:color-type=0 -define png:bit-depth=2", 0, 2, false },
        { "grey4", "-size 37x23 gradient:black-white -colorspace Gray -define png:color-type=0 -define png:bit-depth=4", 0, 4, false },
        { "grey8", "-size 37x23 -seed 5 plasma: -colorspace Gray -define png:color-type=0 -define png:bit-depth=8", 0, 8, false },
        { "grey16", "-size 37x23 -seed 5 plasma: -colorspace Gray -define png:color-type=0 -define png:bit-depth=16", 0, 16, false },
        { "grey8key", "-size 37x23 gradient:black-white -colorspace Gray -transparent black -define png:color-type=0 -define png:bit-depth=8", 0, 8, true },
        { "rgb8", "-size 37x23 -seed 7 plasma: -define png:color-type=2 -define png:bit-depth=8", 2, 8, false },
        { "rgb16", "-size 37x23 -seed 7 plasma: -define png:color-type=2 -define png:bit-depth=16", 2, 16, false },
        { "rgb8key", "-size 37x23 gradient:red-blue -transparent rgb(255,0,0) -define png:color-type=2 -define png:bit-depth=8", 2, 8, true },
        { "rgb16key", "-size 37x23 gradient:red-blue -transparent rgb(255,0,0) -define png:color-type=2 -define png:bit-depth=16", 2, 16, true },
        { "palette1", "-size 13x7 -seed 3 plasma: +dither -colors 2 -type Palette -define png:exclude-chunk=bKGD -define png:color-type=3 -define png:bit-depth=1", 3, 1, false },
        { "palette2", "-size 13x7 -seed 3 plasma: +dither -colors 4 -type Palette -define png:exclude-chunk=bKGD -define png:color-type=3 -define png:bit-depth=2", 3, 2, false },
        { "palette4", "-size 13x7 -seed 3 plasma: +dither -colors 14 -type Palette -define png:exclude-chunk=bKGD -define png:color-type=3 -define png:bit-depth=4", 3, 4, false },
        { "palette8", "-size 37x23 -seed 3 plasma: +dither -colors 200 -type Palette -define png:color-type=3 -define png:bit-depth=8", 3, 8, false },
        { "greyalpha8", "-size 37x23 gradient:black-white -colorspace Gray -alpha set -channel A -fx (i*j)/(w*h) +channel -define png:color-type=4 -define png:bit-depth=8", 4, 8, false },
        { "greyalpha16", "-size 37x23 gradient:black-white -colorspace Gray -alpha set -channel A -fx (i*j)/(w*h) +channel -define png:color-type=4 -define png:bit-depth=16", 4, 16, false },
        { "rgba8", "-size 37x23 -seed 9 plasma: -alpha set -channel A -fx (i+j)/(w+h) +channel -define png:color-type=6 -define png:bit-depth=8", 6, 8, false },
        { "rgba16", "-size 37x23 -seed 9 plasma: -alpha set -channel A -fx (i+j)/(w+h) +channel -define png:color-type=6 -define png:bit-depth=16", 6, 16, false },
        { "rgb8narrow", "-size 1x9 -seed 2 plasma: -define png:color-type=2 -define png:bit-depth=8", 2, 8, false },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void Decode_EveryColourTypeAndDepth_MatchesImageMagick(string name, string arguments, int colourType, int bitDepth, bool transparency)
    {
        ImageMagick.Require();
        string png = Make(name, arguments.Split(' ').Concat(["-interlace", "none", "-quality", "95"]));
        byte[] file = File.ReadAllBytes(png);

        // The file is what the case claims, checked from the bytes themselves.
        List<(string Type, byte[] Data)> chunks = ReadChunks(file);
        byte[] ihdr = chunks[0].Data;
        Assert.Equal((colourType, bitDepth), (ihdr[9], ihdr[8]));
        Assert.Equal(transparency, chunks.Any(c => c.Type == "tRNS"));

        PngImage image = PngReader.Decode(file);

        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(ihdr), image.Width);
        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)), image.Height);
        Assert.Equal(Expected(png, bitDepth), image.Rgba);
        if (transparency)
        {
            Assert.Contains(image.Rgba.Where((_, i) => i % 4 == 3), a => a == 0);
        }
    }

    [Fact]
    public void Decode_PaletteWithTransparency_MatchesImageMagick()
    {
        ImageMagick.Require();

        // A palette image, then its top-left colour made transparent: convert keeps colour type 3 and adds
        // tRNS (with png:color-type=3 defined it drops the tRNS instead, so the type is checked below).
        string opaque = Make("palette-opaque", ["-size", "37x23", "-seed", "3", "plasma:", "+dither", "-colors", "20", "-type", "Palette", "-define", "png:bit-depth=8"]);
        string colour = ImageMagick.Property(opaque, "%[pixel:p{0,0}]");
        string png = Make("palette-trns", [opaque, "-transparent", colour, "-quality", "95"]);
        byte[] file = File.ReadAllBytes(png);
        List<(string Type, byte[] Data)> chunks = ReadChunks(file);
        Assert.Equal(3, chunks[0].Data[9]);
        Assert.Contains(chunks, c => c.Type == "tRNS");

        byte[] rgba = PngReader.Decode(file).Rgba;

        Assert.Equal(ImageMagick.DecodeRgba(png), rgba);
        Assert.Equal(0, rgba[3]);
    }

    [Fact]
    public void Decode_AllFiveFilterTypes_MatchImageMagick()
    {
        ImageMagick.Require();

        // -quality 95: zlib level 9, adaptive filtering, which picks per row among all five types;
        // noise favours None, smooth plasma and gradients the predicting filters.
        string[][] images =
        [
            ["-size", "61x40", "-seed", "4", "plasma:", "-define", "png:color-type=2", "-define", "png:bit-depth=8"],
            ["-size", "37x23", "-seed", "9", "plasma:", "-alpha", "set", "-channel", "A", "-fx", "(i+j)/(w+h)", "+channel", "-define", "png:color-type=6", "-define", "png:bit-depth=16"],
            ["-size", "37x23", "gradient:black-white", "-colorspace", "Gray", "-define", "png:color-type=0", "-define", "png:bit-depth=4"],
            ["-size", "37x23", "-seed", "6", "xc:gray", "+noise", "Random", "-define", "png:color-type=2", "-define", "png:bit-depth=8"],
            ["-size", "35x21", "-seed", "8", "plasma:", "-colorspace", "Gray", "-define", "png:color-type=0", "-define", "png:bit-depth=8"],
        ];
        var seen = new HashSet<byte>();
        for (int i = 0; i < images.Length; i++)
        {
            string png = Make($"filters{i}", [.. images[i], "-interlace", "none", "-quality", "95"]);
            byte[] file = File.ReadAllBytes(png);
            seen.UnionWith(FilterBytes(file));
            Assert.Equal(Expected(png, ReadChunks(file)[0].Data[8]), PngReader.Decode(file).Rgba);
        }

        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, seen.Order().ToArray());
    }

    [Theory]
    [InlineData(PngFilter.None, true)]
    [InlineData(PngFilter.Sub, false)]
    [InlineData(PngFilter.Up, true)]
    [InlineData(PngFilter.Average, false)]
    [InlineData(PngFilter.Paeth, true)]
    [InlineData(PngFilter.Adaptive, false)]
    public void Decode_PngWriterOutput_RoundTrips(PngFilter filter, bool opaque)
    {
        const int width = 29, height = 17;
        var random = new Random(42);
        byte[] rgba = new byte[width * height * 4];
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int x = (i / 4) % width, y = i / 4 / width;
            rgba[i] = (byte)((x * 9) + y + 1); // non-zero at x = 0, so a filter that drops the left neighbour shows
            rgba[i + 1] = y % 3 == 0 ? (byte)random.Next(256) : (byte)(y * 15);
            rgba[i + 2] = (byte)((x * y) + 7);
            rgba[i + 3] = opaque ? (byte)255 : (byte)random.Next(256);
        }

        using var stream = new MemoryStream();
        new PngWriter().Write(stream, rgba, width, height, width * 4, new PngOptions { Filter = filter, Text = [("Title", "needle")] });

        PngImage image = PngReader.Decode(stream.ToArray());

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(rgba, image.Rgba);
    }

    [Fact]
    public void Decode_SubByteGrey_ScalesToFullRange()
    {
        // Depth 2, width 5: samples 0 1 2 3 | 2 and two pad bits; by hand 0, 85, 170, 255, 170.
        byte[] png = Build(5, 1, 2, 0, [], [0, 0b00_01_10_11, 0b10_000000]);
        Assert.Equal(Grey(0, 85, 170, 255, 170), PngReader.Decode(png).Rgba);

        // Depth 1: 1 0 1 -> 255 0 255.
        Assert.Equal(Grey(255, 0, 255), PngReader.Decode(Build(3, 1, 1, 0, [], [0, 0b101_00000])).Rgba);

        // Depth 4: 0xF 0x3 -> 255 51.
        Assert.Equal(Grey(255, 51), PngReader.Decode(Build(2, 1, 4, 0, [], [0, 0xF3])).Rgba);
    }

    [Fact]
    public void Decode_SixteenBitKey_ComparesFullPrecision()
    {
        // Grey 16: 0x1234 matches the key; 0x1235 has the same high byte but must stay opaque.
        byte[] png = Build(2, 1, 16, 0, [("tRNS", [0x12, 0x34])], [0, 0x12, 0x34, 0x12, 0x35]);
        Assert.Equal(new byte[] { 0x12, 0x12, 0x12, 0, 0x12, 0x12, 0x12, 255 }, PngReader.Decode(png).Rgba);

        // RGB 16: the same with an RGB key differing only in blue's low byte.
        byte[] rgb = Build(2, 1, 16, 2, [("tRNS", [1, 2, 3, 4, 5, 6])], [0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 7]);
        Assert.Equal(new byte[] { 1, 3, 5, 0, 1, 3, 5, 255 }, PngReader.Decode(rgb).Rgba);
    }

    [Fact]
    public void Decode_PaletteTransparency_AppliesPerEntryAlpha()
    {
        // Three entries, tRNS for the first two; indexes 2 1 0 at depth 8.
        byte[] png = Build(3, 1, 8, 3, [("PLTE", [10, 20, 30, 40, 50, 60, 70, 80, 90]), ("tRNS", [0, 128])], [0, 2, 1, 0]);
        Assert.Equal(new byte[] { 70, 80, 90, 255, 40, 50, 60, 128, 10, 20, 30, 0 }, PngReader.Decode(png).Rgba);
    }

    [Fact]
    public void Decode_ExtraImageData_IsIgnored()
    {
        // One row of one pixel, then a megabyte more of inflated zeros: the reader stops at one row.
        byte[] raw = new byte[1 << 20];
        raw[1] = 77;
        Assert.Equal(Grey(77), PngReader.Decode(Build(1, 1, 8, 0, [], raw)).Rgba);
    }

    [Fact]
    public void Decode_AncillaryChunkUnknown_IsSkipped()
    {
        byte[] png = Build(1, 1, 8, 0, [("vpAg", [1, 2, 3])], [0, 9]);
        Assert.Equal(Grey(9), PngReader.Decode(png).Rgba);
    }

    [Fact]
    public void Decode_WrongSignature_Throws()
    {
        byte[] png = Sample();
        png[1] = (byte)'J';
        Assert.StartsWith("not a PNG: the signature is 89 4a 4e 47", Throws(png));
        Assert.StartsWith("not a PNG", Throws([]));
    }

    [Fact]
    public void Decode_CorruptIdat_NamesTheCrc()
    {
        byte[] png = Sample();
        png[DataOffset(png, "IDAT") + 3] ^= 0x40;
        Assert.Matches("^chunk IDAT: CRC 0x[0-9A-F]{8} does not match 0x[0-9A-F]{8}", Throws(png));
    }

    [Fact]
    public void Decode_TruncatedInIdat_Throws()
    {
        byte[] png = Sample();
        byte[] cut = png[..(DataOffset(png, "IDAT") + 10)];
        Assert.Matches("^chunk IDAT at offset \\d+: .* run past the end of the file", Throws(cut));
    }

    [Fact]
    public void Decode_MissingIend_Throws()
    {
        List<(string Type, byte[] Data)> chunks = ReadChunks(Sample());
        Assert.Contains("without an IEND chunk", Throws(Assemble(chunks.Where(c => c.Type != "IEND"))));
    }

    [Fact]
    public void Decode_IhdrNotFirst_Throws()
    {
        List<(string Type, byte[] Data)> chunks = ReadChunks(Sample());
        chunks.Insert(0, ("tEXt", Encoding.ASCII.GetBytes("Title\0x")));
        Assert.Equal("the first chunk is tEXt, but a PNG must start with IHDR", Throws(Assemble(chunks)));
    }

    [Fact]
    public void Decode_BadDepthForColourType_Throws()
    {
        Assert.Equal("IHDR: bit depth 3 is not valid for colour type 2", Throws(PatchIhdr(Sample(), 8, 3)));
        Assert.Equal("IHDR: bit depth 16 is not valid for colour type 3", Throws(Build(1, 1, 16, 3, [], [0, 0, 0])));
        Assert.StartsWith("IHDR: colour type 5 ", Throws(PatchIhdr(Sample(), 9, 5)));
    }

    [Fact]
    public void Decode_Interlaced_Throws()
    {
        ImageMagick.Require();
        string png = Make("adam7", ["-size", "37x23", "-seed", "7", "plasma:", "-define", "png:bit-depth=8", "-interlace", "PNG"]);
        Assert.Equal("interlaced PNGs (Adam7) are not supported: save it without interlace", Throws(File.ReadAllBytes(png)));
    }

    [Fact]
    public void Decode_PaletteIndexOutOfRange_Throws()
    {
        byte[] png = Build(4, 1, 8, 3, [("PLTE", [1, 2, 3, 4, 5, 6])], [0, 0, 1, 2, 1]);
        Assert.Equal("pixel (2, 0) uses palette index 2, but PLTE has only 2 entries", Throws(png));
    }

    [Fact]
    public void Decode_PaletteMissing_Throws()
    {
        Assert.Contains("needs a PLTE chunk", Throws(Build(1, 1, 8, 3, [], [0, 0])));
    }

    [Fact]
    public void Decode_UnknownCriticalChunk_Throws()
    {
        byte[] png = Build(1, 1, 8, 0, [("ZZZz", [1])], [0, 9]);
        Assert.StartsWith("unknown critical chunk ZZZz", Throws(png));
    }

    [Fact]
    public void Decode_TooLarge_ThrowsBeforeInflating()
    {
        byte[] png = PatchIhdr(Sample(), 0, 0, 0, 0x4E, 0x20); // width 20000
        Assert.Equal("IHDR: 20000x23 is larger than 16384x16384", Throws(png));
    }

    [Fact]
    public void Decode_ZeroWidth_Throws()
    {
        byte[] png = PatchIhdr(Sample(), 0, 0, 0, 0, 0);
        Assert.StartsWith("IHDR: 0x23 has no pixels", Throws(png));
    }

    [Fact]
    public void Decode_ShortImageData_NamesRows()
    {
        // Three rows of 2 grey pixels expected, one and a half given.
        byte[] png = Build(2, 3, 8, 0, [], [0, 1, 2, 0, 3]);
        Assert.Equal("image data ends after 1 of 3 rows (and 2 of 3 bytes of the next)", Throws(png));
    }

    [Fact]
    public void Decode_UnknownFilterType_NamesTheRow()
    {
        byte[] png = Build(2, 2, 8, 0, [], [0, 1, 2, 5, 3, 4]);
        Assert.Equal("row 1: unknown filter type 5; PNG defines 0 to 4", Throws(png));
    }

    [Fact]
    public void Decode_IdatNotConsecutive_Throws()
    {
        byte[] one = Build(2, 2, 8, 0, [], [0, 1, 2, 0, 3, 4]);
        List<(string Type, byte[] Data)> chunks = ReadChunks(one);
        int at = chunks.FindIndex(c => c.Type == "IDAT");
        byte[] data = chunks[at].Data;
        chunks[at] = ("IDAT", data[..4]);
        chunks.Insert(at + 1, ("tEXt", Encoding.ASCII.GetBytes("a\0b")));
        chunks.Insert(at + 2, ("IDAT", data[4..]));
        Assert.Contains("they must be consecutive", Throws(Assemble(chunks)));
    }

    [Fact]
    public void Decode_IdatSplitAcrossChunks_Decodes()
    {
        byte[] one = Build(2, 2, 8, 0, [], [0, 1, 2, 0, 3, 4]);
        List<(string Type, byte[] Data)> chunks = ReadChunks(one);
        int at = chunks.FindIndex(c => c.Type == "IDAT");
        byte[] data = chunks[at].Data;
        chunks[at] = ("IDAT", data[..3]);
        chunks.Insert(at + 1, ("IDAT", []));
        chunks.Insert(at + 2, ("IDAT", data[3..]));
        Assert.Equal(Grey(1, 2, 3, 4), PngReader.Decode(Assemble(chunks)).Rgba);
    }

    [Fact]
    public void Decode_HugeChunkLength_Throws()
    {
        byte[] png = Sample();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(DataOffset(png, "IDAT") - 8), 0x80000000);
        Assert.Matches("^chunk IDAT at offset \\d+: length 2147483648 is over the PNG limit", Throws(png));
    }

    [Fact]
    public void Decode_CorruptZlibData_NamesTheRows()
    {
        // A zlib header, then a deflate block of the reserved type 3 (BFINAL 1, BTYPE 11).
        List<(string Type, byte[] Data)> chunks = ReadChunks(Build(2, 2, 8, 0, [], [0, 1, 2, 0, 3, 4]));
        int at = chunks.FindIndex(c => c.Type == "IDAT");
        chunks[at] = ("IDAT", [0x78, 0x9C, 0x07, 0x00, 0x00, 0x00]);
        Assert.StartsWith("IDAT: the zlib data is corrupt after 0 of 2 rows", Throws(Assemble(chunks)));
    }

    [Fact]
    public void Decode_ChunksWhereTheSpecForbidsThem_Throw()
    {
        Assert.Equal("PLTE is not allowed for colour type 0 (greyscale)", Throws(Build(1, 1, 8, 0, [("PLTE", [1, 2, 3])], [0, 9])));
        Assert.Equal("tRNS is not allowed for colour type 6, which stores alpha itself", Throws(Build(1, 1, 8, 6, [("tRNS", [0, 0, 0, 0, 0, 0])], [0, 1, 2, 3, 4])));
        Assert.Equal("tRNS for colour type 0 has 6 bytes; it must have 2 (a grey key)", Throws(Build(1, 1, 8, 0, [("tRNS", [0, 0, 0, 0, 0, 0])], [0, 9])));
        Assert.Equal("tRNS has 3 alpha values but PLTE has only 2 entries", Throws(Build(1, 1, 8, 3, [("PLTE", [1, 2, 3, 4, 5, 6]), ("tRNS", [0, 0, 0])], [0, 0])));
        Assert.Equal("PLTE has 3 entries, more than bit depth 1 can index (2)", Throws(Build(1, 1, 1, 3, [("PLTE", [1, 2, 3, 4, 5, 6, 7, 8, 9])], [0, 0])));
        Assert.Equal("IHDR has 12 bytes of data; it must have 13", Throws(Assemble([("IHDR", new byte[12]), ("IEND", [])])));
        Assert.Equal("there is no IDAT chunk: the file has no image data", Throws(Assemble([ReadChunks(Sample())[0], ("IEND", [])])));
    }

    [Fact]
    public void ReadFile_PrefixesThePath()
    {
        string path = Path.Combine(_dir, "bad.png");
        File.WriteAllBytes(path, PatchIhdr(Sample(), 0, 0, 0, 0, 0));
        var e = Assert.Throws<InvalidDataException>(() => PngReader.ReadFile(path));
        Assert.StartsWith(path + ": IHDR: 0x23 has no pixels", e.Message);

        string good = Path.Combine(_dir, "good.png");
        File.WriteAllBytes(good, Build(1, 1, 8, 0, [], [0, 200]));
        Assert.Equal(Grey(200), PngReader.ReadFile(good).Rgba);
    }

    [Fact]
    public void ReadFile_Missing_NamesTheFile()
    {
        string absent = Path.Combine(_dir, "absent.png");
        var e = Assert.Throws<InputException>(() => PngReader.ReadFile(absent));
        Assert.Equal($"PNG file '{absent}' does not exist", e.Message);
    }

    private static string Throws(byte[] png) => Assert.Throws<InvalidDataException>(() => PngReader.Decode(png)).Message;

    private static byte[] Grey(params byte[] values)
    {
        byte[] rgba = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            rgba[i * 4] = rgba[(i * 4) + 1] = rgba[(i * 4) + 2] = values[i];
            rgba[(i * 4) + 3] = 255;
        }

        return rgba;
    }

    /// <summary>A valid 37x23 RGB8 file from PngWriter to break in the error tests.</summary>
    private static byte[] Sample()
    {
        byte[] rgba = new byte[37 * 23 * 4];
        for (int i = 0; i < rgba.Length; i++)
        {
            rgba[i] = (i % 4) == 3 ? (byte)255 : (byte)(i * 7);
        }

        using var stream = new MemoryStream();
        new PngWriter().Write(stream, rgba, 37, 23, 37 * 4, PngOptions.Default);
        return stream.ToArray();
    }

    /// <summary>A PNG built here: IHDR, the extra chunks, one IDAT of <paramref name="raw"/> (filter bytes included) deflated, IEND.</summary>
    private static byte[] Build(int width, int height, int depth, int colourType, (string Type, byte[] Data)[] extra, byte[] raw)
    {
        byte[] ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colourType;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return Assemble([("IHDR", ihdr), .. extra, ("IDAT", compressed.ToArray()), ("IEND", [])]);
    }

    private static byte[] PatchIhdr(byte[] png, int offset, params byte[] bytes)
    {
        List<(string Type, byte[] Data)> chunks = ReadChunks(png);
        bytes.CopyTo(chunks[0].Data, offset);
        return Assemble(chunks);
    }

    private static int DataOffset(byte[] png, string type)
    {
        int at = 8;
        while (Encoding.ASCII.GetString(png, at + 4, 4) != type)
        {
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        }

        return at + 8;
    }

    /// <summary>Chunks in order, CRCs checked with this file's own CRC-32.</summary>
    private static List<(string Type, byte[] Data)> ReadChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            Assert.Equal(Crc(png.AsSpan(at + 4, length + 4)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            chunks.Add((Encoding.ASCII.GetString(png, at + 4, 4), png[(at + 8)..(at + 8 + length)]));
            at += 12 + length;
        }

        return chunks;
    }

    private static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> word = stackalloc byte[4];
        foreach ((string type, byte[] data) in chunks)
        {
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            png.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeAndData));
            png.Write(word);
        }

        return png.ToArray();
    }

    /// <summary>The filter-type byte of every row, from the inflated IDAT data and IHDR's row size.</summary>
    private static List<byte> FilterBytes(byte[] png)
    {
        List<(string Type, byte[] Data)> chunks = ReadChunks(png);
        byte[] ihdr = chunks[0].Data;
        int width = BinaryPrimitives.ReadInt32BigEndian(ihdr);
        int height = BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4));
        int channels = ihdr[9] switch { 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        int rowBytes = ((width * channels * ihdr[8]) + 7) / 8;
        using var zlib = new ZLibStream(new MemoryStream([.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)]), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        byte[] rows = raw.ToArray();
        return [.. Enumerable.Range(0, height).Select(y => rows[y * (rowBytes + 1)])];
    }

    /// <summary>
    /// ImageMagick's pixels for the file. For 16-bit files it decodes at 16 bits and keeps the high
    /// byte, which is what the reader promises (an 8-bit ImageMagick output rounds instead).
    /// </summary>
    private static byte[] Expected(string png, int bitDepth)
    {
        if (bitDepth != 16)
        {
            return ImageMagick.DecodeRgba(png);
        }

        byte[] wide = Run([png, "-depth", "16", "-endian", "MSB", "rgba:-"]);
        byte[] rgba = new byte[wide.Length / 2];
        for (int i = 0; i < rgba.Length; i++)
        {
            rgba[i] = wide[i * 2]; // -endian MSB: the high byte first
        }

        return rgba;
    }

    private string Make(string name, IEnumerable<string> arguments)
    {
        string path = Path.Combine(_dir, name + ".png");
        Run([.. arguments, path]);
        Assert.True(File.Exists(path), $"convert did not write {path}");
        return path;
    }

    private static byte[] Run(string[] arguments)
    {
        var start = new ProcessStartInfo(Convert) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + Convert);
        using var output = new MemoryStream();
        Task<string> errors = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"convert {string.Join(' ', arguments)} failed ({p.ExitCode}): {errors.Result}");
        return output.ToArray();
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c = s_crcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFF;
    }

    private static uint[] BuildCrcTable()
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
