// The encoders on content chosen to reach each of their branches, decoded by the test client.
using VgpuView.VfioPlanes.Rfb;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class EncoderRoundTripTests
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string encoding in new[] { "raw", "hextile", "zrle", "tight" })
        {
            foreach (string content in new[] { "solid", "two", "four", "sixteen", "hundred", "two-hundred", "noise", "runs", "mixed" })
            {
                foreach (string format in new[] { "rgb888le", "rgb888hi-be", "rgb565be", "bgr233", "rgb101010-32" })
                {
                    data.Add(encoding, content, format);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// Two rectangles of odd sizes in one update through one encoder, so the second continues the
    /// first's zlib streams; the decoded framebuffer equals the content converted by the test's rule.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Encoded_DecodesToTheSamePixels(string encoding, string content, string formatName)
    {
        const int width = 203, height = 141;
        TestPixelFormat format = TestPixelFormat.ByName(formatName);
        RfbPixelFormat server = RfbPixelFormat.Read(format.ToBytes());
        Assert.Null(server.Check());
        byte[] rgba = Content(content, width, height);
        IRfbEncoder encoder = RfbEncoders.Create(encoding switch { "raw" => 0, "hextile" => 5, "zrle" => 16, _ => 7 }, -1);
        var w = new RfbWriter();
        w.U8(0);
        w.U8(0);
        (int X, int Y, int W, int H)[] rects = [(0, 0, width, 77), (0, 77, width, height - 77)];
        w.U16((ushort)rects.Length);
        foreach ((int x, int y, int rw, int rh) in rects)
        {
            Assert.True(rw <= encoder.MaxWidth && rw * rh <= encoder.MaxPixels);
            uint[] values = new uint[rw * rh];
            for (int row = 0; row < rh; row++)
            {
                server.ToValues(rgba.AsSpan((((y + row) * width) + x) * 4, rw * 4), values.AsSpan(row * rw, rw));
            }

            w.RectHeader(x, y, rw, rh, encoder.Encoding);
            encoder.Encode(w, values, rw, rh, server);
        }

        (encoder as IDisposable)?.Dispose();
        using RfbTestClient client = RfbTestClient.FromServerBytes(w.Written.ToArray(), width, height, format);
        Assert.NotNull(await client.ReadUpdateAsync());
        for (int i = 0; i < width * height; i++)
        {
            uint want = format.Expected(rgba[i * 4], rgba[(i * 4) + 1], rgba[(i * 4) + 2]);
            uint got = client.ValueAt(i % width, i / width);
            if (got != want)
            {
                Assert.Fail($"pixel ({i % width}, {i / width}): expected 0x{want:x}, decoded 0x{got:x}");
            }
        }
    }

    [Theory]
    [InlineData(5, new byte[] { 5 })]
    [InlineData(127, new byte[] { 127 })]
    [InlineData(128, new byte[] { 0x80, 0x01 })]
    [InlineData(10000, new byte[] { 0x90, 0x4E })]
    [InlineData(16383, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(4194303, new byte[] { 0xFF, 0xFF, 0xFF })]
    public void TightCompactLength_IsSevenBitsAByte_LowFirst(int length, byte[] expected)
    {
        var w = new RfbWriter();
        TightEncoder.CompactLength(w, length);
        Assert.Equal(expected, w.Written.ToArray());
    }

    // RGBA content with a known number of colours, or none in particular.
    private static byte[] Content(string kind, int width, int height)
    {
        var random = new Random(kind.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
        int colours = kind switch { "solid" => 1, "two" => 2, "four" => 4, "sixteen" => 16, "hundred" => 100, "two-hundred" => 200, _ => 0 };
        uint[] palette = [.. Enumerable.Range(0, Math.Max(colours, 1)).Select(_ => (uint)random.Next() | 0xFF000000)];
        byte[] rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            int x = i % width, y = i / width;
            uint c = kind switch
            {
                "noise" => (uint)random.Next() | 0xFF000000,
                // Long runs, some over 255 pixels, across rows.
                "runs" => palette[0] ^ (uint)((i / 300) * 0x010203),
                // Text-like: a background, ink strokes, and a noisy corner.
                "mixed" => x > 150 && y > 100 ? (uint)random.Next() | 0xFF000000 : (x % 7 == 0 || y % 11 == 0) ? 0xFF202020 : 0xFFFFFFFF,
                _ => palette[random.Next(colours)],
            };
            BitConverter.TryWriteBytes(rgba.AsSpan(i * 4), c);
        }

        return rgba;
    }
}
