using System.Text;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

public sealed class PngWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-png-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Image(int width, int height, int stride, int seed, bool opaque)
    {
        // Smooth gradients (so the filters have something to predict), a noisy band, and padding 0xEE.
        var random = new Random(seed);
        byte[] rgba = new byte[stride * height];
        Array.Fill(rgba, (byte)0xEE);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = (y * stride) + (x * 4);
                bool noise = y % 5 == 2;
                rgba[i] = noise ? (byte)random.Next(256) : (byte)(x * 3);
                rgba[i + 1] = noise ? (byte)random.Next(256) : (byte)(y * 5);
                rgba[i + 2] = (byte)((x + y) * 2);
                rgba[i + 3] = opaque ? (byte)255 : (byte)((x * 11) + y);
            }
        }

        return rgba;
    }

    private static byte[] Packed(byte[] rgba, int width, int height, int stride)
    {
        byte[] packed = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            Array.Copy(rgba, y * stride, packed, y * width * 4, width * 4);
        }

        return packed;
    }

    private string WritePng(byte[] rgba, int width, int height, int stride, PngOptions options, PngWriter? writer = null)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.png");
        using (var file = File.Create(path))
        {
            (writer ?? new PngWriter()).Write(file, rgba, width, height, stride, options);
        }

        return path;
    }

    [Theory]
    [InlineData(PngFilter.None, true)]
    [InlineData(PngFilter.Sub, true)]
    [InlineData(PngFilter.Up, true)]
    [InlineData(PngFilter.Average, true)]
    [InlineData(PngFilter.Paeth, true)]
    [InlineData(PngFilter.Adaptive, true)]
    [InlineData(PngFilter.None, false)]
    [InlineData(PngFilter.Sub, false)]
    [InlineData(PngFilter.Up, false)]
    [InlineData(PngFilter.Average, false)]
    [InlineData(PngFilter.Paeth, false)]
    [InlineData(PngFilter.Adaptive, false)]
    public void EveryFilter_DecodesToTheSamePixels(PngFilter filter, bool opaque)
    {
        ImageMagick.Require();
        const int width = 37, height = 23, stride = (37 * 4) + 12;
        byte[] rgba = Image(width, height, stride, 1, opaque);
        string png = WritePng(rgba, width, height, stride, new PngOptions { Filter = filter });
        Assert.Equal(Packed(rgba, width, height, stride), ImageMagick.DecodeRgba(png));

        // Colour type 2 (RGB) for an opaque image, 6 (RGBA) otherwise.
        Assert.Equal(opaque ? "2" : "6", ImageMagick.Property(png, "%[png:IHDR.color-type-orig]"));
        byte[] ihdr = PngChunks.Read(File.ReadAllBytes(png))[0].Data;
        Assert.Equal(new byte[] { 0, 0, 0, 37, 0, 0, 0, 23, 8, opaque ? (byte)2 : (byte)6, 0, 0, 0 }, ihdr);
    }

    [Fact]
    public void OneTranslucentPixel_MakesItRgba()
    {
        const int width = 40, height = 3;
        byte[] rgba = Image(width, height, width * 4, 2, opaque: true);
        rgba[(2 * width * 4) + (39 * 4) + 3] = 254; // the very last pixel
        string png = WritePng(rgba, width, height, width * 4, PngOptions.Default);
        Assert.Equal("6", ImageMagick.Property(png, "%[png:IHDR.color-type-orig]"));
        Assert.Equal(rgba, ImageMagick.DecodeRgba(png));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    public void Levels_AndManyIdatChunks(int level)
    {
        // Noise does not compress: 300x300 RGBA is 360 KB of deflate output, more than one 256 KiB IDAT.
        const int width = 300, height = 300;
        byte[] rgba = new byte[width * height * 4];
        new Random(3).NextBytes(rgba);
        string png = WritePng(rgba, width, height, width * 4, new PngOptions { CompressionLevel = level });
        Assert.Equal(rgba, ImageMagick.DecodeRgba(png));
        Assert.True(PngChunks.Read(File.ReadAllBytes(png)).Count(c => c.Type == "IDAT") > 1);
    }

    [Fact]
    public void TextChunks_AreWrittenAndReadable()
    {
        var options = new PngOptions
        {
            Text =
            [
                ("Device", "sim:bars"),
                ("Format", "XR24 I915_X_TILED"),
                ("Caf\u00e9 note", "na\u00efve Latin-1"),
                ("Comment", "euro \u20ac is not Latin-1"),
            ],
        };
        byte[] rgba = Image(8, 8, 32, 4, opaque: true);
        string png = WritePng(rgba, 8, 8, 32, options);

        var chunks = PngChunks.Read(File.ReadAllBytes(png));
        var text = chunks.Where(c => c.Type == "tEXt").Select(c => Encoding.Latin1.GetString(c.Data)).ToList();
        Assert.Equal(["Device\0sim:bars", "Format\0XR24 I915_X_TILED", "Caf\u00e9 note\0na\u00efve Latin-1"], text);
        var itxt = Assert.Single(chunks, c => c.Type == "iTXt").Data;
        Assert.Equal("Comment\0\0\0\0\0"u8.ToArray().Concat(Encoding.UTF8.GetBytes("euro \u20ac is not Latin-1")), itxt);

        // Text chunks come before the image data.
        Assert.True(chunks.FindIndex(c => c.Type == "tEXt") < chunks.FindIndex(c => c.Type == "IDAT"));
        Assert.Equal("sim:bars", ImageMagick.Property(png, "%[Device]"));
        Assert.Equal("XR24 I915_X_TILED", ImageMagick.Property(png, "%[Format]"));
    }

    [Theory]
    [InlineData("", "x")]
    [InlineData(" lead", "x")]
    [InlineData("trail ", "x")]
    [InlineData("two  spaces", "x")]
    [InlineData("tab\there", "x")]
    [InlineData("euro\u20ac", "x")]
    [InlineData("nbsp\u00a0", "x")]
    [InlineData("ok", "nul\0inside")]
    public void BadText_IsRejectedBeforeAnythingIsWritten(string keyword, string text)
    {
        var output = new MemoryStream();
        var options = new PngOptions { Text = [(keyword, text)] };
        var e = Assert.Throws<ArgumentException>(() => new PngWriter().Write(output, new byte[16], 2, 2, 8, options));
        Assert.Equal("options.Text", e.ParamName);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void KeywordOf79_IsWrittenWhole_80_IsRejected()
    {
        // PNG allows keywords of 1 to 79 Latin-1 characters: the longest one reaches the file whole.
        string longest = "Vgpuview-" + new string('k', 70);
        Assert.Equal(79, longest.Length);
        var output = new MemoryStream();

        new PngWriter().Write(output, new byte[16], 2, 2, 8, new PngOptions { Text = [(longest, "value of the longest keyword")] });

        (string Type, byte[] Data) text = Assert.Single(PngChunks.Read(output.ToArray()), c => c.Type == "tEXt");
        Assert.Equal(longest + "\0value of the longest keyword", Encoding.Latin1.GetString(text.Data));
        PngImage image = PngReader.Decode(output.ToArray());
        Assert.Equal((2, 2), (image.Width, image.Height));

        var refused = new MemoryStream();
        ArgumentException e = Assert.Throws<ArgumentException>(() =>
            new PngWriter().Write(refused, new byte[16], 2, 2, 8, new PngOptions { Text = [(longest + "k", "v")] }));
        Assert.Equal("options.Text", e.ParamName);
        Assert.Equal(0, refused.Length);
    }

    [Fact]
    public void BadGeometry_Throws()
    {
        var w = new PngWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Write(new MemoryStream(), new byte[16], 0, 2, 8, PngOptions.Default));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Write(new MemoryStream(), new byte[16], 2, 0, 8, PngOptions.Default));
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => w.Write(new MemoryStream(), new byte[16], 2, 2, 7, PngOptions.Default)).ParamName);
        Assert.Equal("rgba", Assert.Throws<ArgumentException>(() => w.Write(new MemoryStream(), new byte[15], 2, 2, 8, PngOptions.Default)).ParamName);
        Assert.Throws<ArgumentException>(() => w.Write(new MemoryStream(), new byte[16], 2, 2, 8, new PngOptions { CompressionLevel = 10 }));
    }

    [Fact]
    public void OneWriter_ManyImagesOfDifferentSizes()
    {
        ImageMagick.Require();
        var writer = new PngWriter();
        foreach ((int w, int h, bool opaque) in new[] { (64, 4, true), (5, 9, false), (129, 2, true), (3, 3, true), (64, 4, false) })
        {
            byte[] rgba = Image(w, h, w * 4, w + h, opaque);
            string png = WritePng(rgba, w, h, w * 4, new PngOptions { Filter = PngFilter.Adaptive }, writer);
            Assert.Equal(rgba, ImageMagick.DecodeRgba(png));
        }
    }

    [Fact]
    public void Adaptive_PicksTheSmallestSumPerRow()
    {
        // A row that repeats the one above: Up gives all zeros (sum 0), so Adaptive picks Up (2)
        // for row 1; row 0 is a left-to-right ramp of step 1 per byte, where Sub gives all ones
        // after the first pixel, smaller than None (the raw ramp) and no worse than the others.
        const int width = 16;
        byte[] rgba = new byte[width * 2 * 4];
        for (int i = 0; i < width * 4; i++)
        {
            rgba[i] = (byte)i;
            rgba[(width * 4) + i] = (byte)i;
        }

        var output = new MemoryStream();
        new PngWriter().Write(output, rgba, width, 2, width * 4, new PngOptions { Filter = PngFilter.Adaptive, CompressionLevel = 0 });
        byte[] idat = PngChunks.Read(output.ToArray()).Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        using var inflate = new System.IO.Compression.ZLibStream(new MemoryStream(idat), System.IO.Compression.CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflate.CopyTo(raw);
        byte[] rows = raw.ToArray();
        Assert.Equal((width * 4) + 1, rows.Length / 2);
        Assert.Equal(2, rows[(width * 4) + 1]);
        Assert.Equal(1, rows[0]);
    }
}
