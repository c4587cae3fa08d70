// Every encoding in every pixel format, decoded by the test client, equals `capture` of the same frame.
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>One server for the class: the replayed frame, every encoding offered.</summary>
public sealed class SharedServe : IDisposable
{
    public SharedServe()
    {
        Replay = new ReplayFixture();
        // A long stall timeout: these tests check pixels, not how a slow client is dropped.
        Host = ServeHost.Handler(new VgpuView.Viewer.Commands.ServeOptions { Device = "sim:replay=" + Replay.Json, Listen = "127.0.0.1:0", StallTimeout = TimeSpan.FromSeconds(120) });
        Endpoint = Host.WaitListening();
    }

    public ReplayFixture Replay { get; }

    internal ServeHost Host { get; }

    public string Endpoint { get; }

    public void Dispose()
    {
        Host.Dispose();
        Replay.Dispose();
    }
}

[Collection(ServeCollection.Name)]
public sealed class ServeEncodingTests(SharedServe shared) : IClassFixture<SharedServe>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string encoding in new[] { "raw", "hextile", "zrle", "tight" })
        {
            foreach (string format in TestPixelFormat.Names)
            {
                data.Add(encoding, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task FullUpdate_InEachEncodingAndFormat_EqualsCapture(string encoding, string format)
    {
        int type = encoding switch { "raw" => 0, "hextile" => 5, "zrle" => 16, _ => 7 };
        using RfbTestClient client = await RfbTestClient.ConnectAsync(shared.Endpoint);
        Assert.Null(await client.HandshakeAsync());
        TestPixelFormat pf = TestPixelFormat.ByName(format);
        await client.SetPixelFormatAsync(pf);
        await client.SetEncodingsAsync(type);
        await client.RequestAsync(incremental: false);
        List<TestRect>? rects = await client.ReadUpdateAsync();
        Assert.NotNull(rects);
        Assert.All(rects, r => Assert.Equal(type, r.Encoding));
        AssertShows(client, shared.Replay.Expected, pf);
    }

    [Fact]
    public async Task CursorEncoding_SendsTheCursorPlaneWithItsHotspot_AndThePrimaryWithoutIt()
    {
        using RfbTestClient client = await RfbTestClient.ConnectAsync(shared.Endpoint);
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16, -239);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        ReplayFixture replay = shared.Replay;
        Assert.NotNull(client.Cursor);
        (int hotX, int hotY, int width, int height, uint[] pixels, byte[] mask) = client.Cursor.Value;
        Assert.Equal((replay.HotX, replay.HotY), (hotX, hotY));
        Assert.Equal((replay.CursorWidth, replay.CursorHeight), (width, height));
        int rowBytes = (width + 7) / 8;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = ((y * width) + x) * 4;
                byte b = replay.CursorBgra[at], g = replay.CursorBgra[at + 1], r = replay.CursorBgra[at + 2], a = replay.CursorBgra[at + 3];
                bool shown = (mask[(y * rowBytes) + (x / 8)] & (0x80 >> (x % 8))) != 0;
                Assert.True(shown == (a >= 128), $"cursor mask at ({x}, {y}) with alpha {a}");
                Assert.Equal(client.Format.Expected(r, g, b), pixels[(y * width) + x]);
            }
        }

        AssertShows(client, replay.Primary, client.Format);
    }

    [Fact]
    public async Task UnchangedGuest_SendsNoRectangles()
    {
        using RfbTestClient client = await RfbTestClient.ConnectAsync(shared.Endpoint);
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        await client.RequestAsync(incremental: true);
        Assert.Null(await client.ReadUpdateAsync(TimeSpan.FromSeconds(1.5)));
    }

    [Theory]
    [InlineData("3.3")]
    [InlineData("3.7")]
    [InlineData("3.8")]
    public async Task Handshake_EachVersion_GivesServerInit(string version)
    {
        using RfbTestClient client = await RfbTestClient.ConnectAsync(shared.Endpoint);
        Assert.Null(await client.HandshakeAsync(version));
        Assert.Equal("RFB 003.008\n", client.ServerVersion);
        Assert.Equal(1, client.SecurityType);
        Assert.Equal((shared.Replay.Expected.Width, shared.Replay.Expected.Height), (client.Width, client.Height));
        Assert.StartsWith("sim", client.Name);
        Assert.Equal(TestPixelFormat.Rgb888, client.ServerFormat);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        AssertShows(client, shared.Replay.Expected, client.Format);
    }

    /// <summary>Each framebuffer pixel equals the expected RGBA converted to the client's format by the test's own rule.</summary>
    internal static void AssertShows(RfbTestClient client, PngImage expected, TestPixelFormat format)
    {
        Assert.Equal((expected.Width, expected.Height), (client.Width, client.Height));
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                int at = ((y * expected.Width) + x) * 4;
                uint want = format.Expected(expected.Rgba[at], expected.Rgba[at + 1], expected.Rgba[at + 2]);
                uint got = client.ValueAt(x, y);
                if (want != got)
                {
                    Assert.Fail($"pixel ({x}, {y}): expected 0x{want:x} from RGB {expected.Rgba[at]},{expected.Rgba[at + 1]},{expected.Rgba[at + 2]}, got 0x{got:x}");
                }
            }
        }
    }
}
