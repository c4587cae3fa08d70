// serve's behaviour over time: damage, mode changes, slow and bad clients, many clients, stop and device loss.
using System.Text.Json;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class ServeBehaviourTests(ReplayFixture replay) : IClassFixture<ReplayFixture>
{
    [Fact]
    public async Task OneChangedTile_SendsOneRectangle()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.ChangingJson, "--listen", "127.0.0.1:0");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        for (int i = 0; i < 3; i++)
        {
            await client.RequestAsync(incremental: true);
            List<TestRect>? rects = await client.ReadUpdateAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(rects);
            TestRect only = Assert.Single(rects);
            Assert.Equal(new TestRect(192, 128, 64, 64, 16), only);
        }
    }

    [Fact]
    public async Task ModeChange_ReachesTheClientAsANewDesktopSize()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.ModeJson, "--listen", "127.0.0.1:0");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16, -308, -223);
        var seen = new HashSet<(int, int)> { (client.Width, client.Height) };
        await client.RequestAsync(incremental: false);
        for (int i = 0; i < 20 && seen.Count < 2; i++)
        {
            List<TestRect>? rects = await client.ReadUpdateAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(rects);
            seen.Add((client.Width, client.Height));
            await client.RequestAsync(incremental: true);
        }

        Assert.Contains((640, 480), seen);
        Assert.Contains((replay.Expected.Width, replay.Expected.Height), seen);
    }

    [Fact]
    public async Task DisabledDisplay_KeepsTheLastPictureDimmedWithAMessage_UntilItComesBack()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.DisablingJson, "--listen", "127.0.0.1:0");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        bool dimmed = false, back = false;
        for (int i = 0; i < 40 && !back; i++)
        {
            await client.RequestAsync(incremental: true);
            Assert.NotNull(await client.ReadUpdateAsync(TimeSpan.FromSeconds(10)));
            // Away from the message box, each channel is 3/8 of the picture's (rounded down).
            int at = ((10 * replay.Expected.Width) + 300) * 4;
            byte r = replay.Expected.Rgba[at], g = replay.Expected.Rgba[at + 1], b = replay.Expected.Rgba[at + 2];
            if (client.ValueAt(300, 10) == client.Format.Expected((byte)((r * 3) >> 3), (byte)((g * 3) >> 3), (byte)((b * 3) >> 3)) && (r | g | b) != 0)
            {
                dimmed = true;
                Assert.Equal(0u, client.ValueAt(client.Width / 2, (client.Height / 2) - 20));
            }
            else if (dimmed)
            {
                ServeEncodingTests.AssertShows(client, replay.Expected, client.Format);
                back = true;
            }
        }

        Assert.True(dimmed, "the picture was never dimmed while the display was disabled");
        Assert.True(back, "the picture did not come back when the display did");
    }

    [Fact]
    public async Task ContinuousUpdates_AndFence_AreAnsweredWhereTheClientAsks()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.ChangingJson, "--listen", "127.0.0.1:0");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16, -313, -312);
        // A fence request with a payload comes back with the request flag cleared.
        await client.WriteAsync([248, 0, 0, 0, 0x80, 0, 0, 0x03, 3, 7, 8, 9]);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        Assert.Contains(client.OtherMessages, m => m.Type == 150);
        Assert.Contains(client.OtherMessages, m => m.Type == 248 && m.Body.AsSpan().SequenceEqual(new byte[] { 0, 0, 0, 0, 0, 0, 0x03, 3, 7, 8, 9 }));

        // Continuous: updates come as the guest changes, with no request.
        await client.WriteAsync([150, 1, 0, 0, 0, 0, (byte)(client.Width >> 8), (byte)client.Width, (byte)(client.Height >> 8), (byte)client.Height]);
        for (int i = 0; i < 3; i++)
        {
            Assert.NotNull(await client.ReadUpdateAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task ClientThatDoesNotRead_GetsOneCoalescedUpdatePerRequest()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.ChangingJson, "--listen", "127.0.0.1:0", "--interval", "10");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(0);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());

        // The guest changes about ten times while the client reads nothing; then it reads.
        await client.RequestAsync(incremental: true);
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        Assert.NotNull(await client.ReadUpdateAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(await client.ReadUpdateAsync(TimeSpan.FromSeconds(0.5)));
    }

    [Fact]
    public async Task StalledClient_IsDropped_AndOthersAreStillServed()
    {
        using var host = ServeHost.Handler(new ServeOptions
        {
            Device = "sim:replay=" + replay.ChangingJson,
            Listen = "127.0.0.1:0",
            StallTimeout = TimeSpan.FromSeconds(2),
            IntervalMs = 10,
        });
        string endpoint = host.WaitListening();
        using RfbTestClient stalled = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await stalled.HandshakeAsync());
        await stalled.SetEncodingsAsync(0);
        // Full raw updates, asked for and never read, fill the socket's buffers; the requests
        // go on (the server reads them) until the server gives up on the client.
        Task asking = Task.Run(async () =>
        {
            for (int i = 0; i < 200 && !host.Error.Contains("dropped", StringComparison.Ordinal); i++)
            {
                await stalled.RequestAsync(incremental: false);
                await Task.Delay(50);
            }
        }, TestContext.Current.CancellationToken);

        using RfbTestClient live = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await live.HandshakeAsync());
        await live.SetEncodingsAsync(16);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int updates = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            await live.RequestAsync(incremental: updates > 0);
            Assert.NotNull(await live.ReadUpdateAsync(TimeSpan.FromSeconds(2)));
            updates++;
        }

        Assert.True(updates >= 4, $"the live client got {updates} updates in 4 s while another stalled");
        Assert.True(host.WaitError("dropped: the client read nothing for 2 s", TimeSpan.FromSeconds(15)), host.Error);
        await asking.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Theory]
    [InlineData("HELLO WORLD\n")]
    [InlineData("RFB 004.000\n")]
    [InlineData("RFB 003.00x\n")]
    public async Task GarbageVersion_IsClosed_WithALogLine(string version)
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0");
        string endpoint = host.WaitListening();
        using (RfbTestClient bad = await RfbTestClient.ConnectAsync(endpoint))
        {
            await bad.ReadAsync(12);
            await bad.WriteAsync(System.Text.Encoding.ASCII.GetBytes(version));
            Assert.True(await bad.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.True(host.WaitError("refused: not an RFB 3.x version message", TimeSpan.FromSeconds(5)), host.Error);
        await AssertStillServes(endpoint);
    }

    public static TheoryData<string, byte[]> BadMessages() => new()
    {
        { "unknown message type 99", [99, 0, 0, 0] },
        { "ClientCutText of 2147483647 bytes", [6, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF] },
        { "ClientCutText of -1 bytes", [6, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "a colour-map pixel format", [0, 0, 0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "bits-per-pixel 24", [0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0] },
        { "red-max 200", [0, 0, 0, 0, 32, 24, 0, 1, 0, 200, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0] },
        { "outside a 16-bit pixel", [0, 0, 0, 0, 16, 16, 0, 1, 0, 255, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0] },
        { "Fence with a 200-byte payload", [248, 0, 0, 0, 0, 0, 0, 0, 200] },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task MalformedMessage_ClosesTheClient_WithALogLine(string logged, byte[] message)
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0");
        string endpoint = host.WaitListening();
        using (RfbTestClient bad = await RfbTestClient.ConnectAsync(endpoint))
        {
            Assert.Null(await bad.HandshakeAsync());
            await bad.WriteAsync(message);
            Assert.True(await bad.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.True(host.WaitError(logged, TimeSpan.FromSeconds(5)), host.Error);
        await AssertStillServes(endpoint);
    }

    [Fact]
    public async Task SilentClient_IsDroppedAfterTheHandshakeTimeout()
    {
        using var host = ServeHost.Handler(new ServeOptions { Device = "sim:replay=" + replay.Json, Listen = "127.0.0.1:0", HandshakeTimeout = TimeSpan.FromSeconds(1) });
        using RfbTestClient silent = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.True(await silent.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        Assert.True(host.WaitError("no handshake within 1 s", TimeSpan.FromSeconds(5)), host.Error);
    }

    [Fact]
    public async Task TwoHundredClientsAtOnce_AllGetTheFrame()
    {
        // Timeouts long enough for 200 handshakes on a loaded machine: this is about serving them all.
        using var host = ServeHost.Handler(new ServeOptions
        {
            Device = "sim:replay=" + replay.Json,
            Listen = "127.0.0.1:0",
            MaxClients = 250,
            HandshakeTimeout = TimeSpan.FromSeconds(90),
            StallTimeout = TimeSpan.FromSeconds(90),
        });
        string endpoint = host.WaitListening();
        var clients = new List<RfbTestClient>();
        try
        {
            Task<RfbTestClient>[] connecting = [.. Enumerable.Range(0, 200).Select(_ => RfbTestClient.ConnectAsync(endpoint, TimeSpan.FromSeconds(60)))];
            clients.AddRange(await Task.WhenAll(connecting));
            await Task.WhenAll(clients.Select(async c =>
            {
                Assert.Null(await c.HandshakeAsync());
                await c.SetEncodingsAsync(16);
                await c.RequestAsync(incremental: false);
                Assert.NotNull(await c.ReadUpdateAsync(TimeSpan.FromSeconds(60)));
            }));
            ServeEncodingTests.AssertShows(clients[^1], replay.Expected, clients[^1].Format);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ClientsOverTheLimit_AreClosed()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--max-clients", "2");
        string endpoint = host.WaitListening();
        using RfbTestClient a = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await a.HandshakeAsync());
        using RfbTestClient b = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await b.HandshakeAsync());
        using RfbTestClient c = await RfbTestClient.ConnectAsync(endpoint);
        Assert.True(await c.ClosedWithinAsync(TimeSpan.FromSeconds(10)));
        Assert.True(host.WaitError("refused: 2 clients already (--max-clients)", TimeSpan.FromSeconds(5)), host.Error);
    }

    [Fact]
    public async Task Stop_ClosesClients_AndExitsZero_AfterPrintingWhereItListened()
    {
        var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0");
        string endpoint = host.WaitListening();
        Assert.Matches(@"^127\.0\.0\.1:\d+$", endpoint);
        Assert.NotEqual("127.0.0.1:0", endpoint);
        Assert.StartsWith($"rfb {endpoint}\n", host.Output);
        using RfbTestClient client = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await client.HandshakeAsync());
        Assert.Equal(ExitCodes.Success, host.Stop());
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
        host.Dispose();
    }

    [Fact]
    public async Task UnixSocket_ServesTheFrame_AndIsRemovedAtExit()
    {
        string path = Path.Combine(replay.Directory, $"serve-{Guid.NewGuid():N}.sock");
        using (var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "unix:" + path))
        {
            Assert.Equal("unix:" + path, host.WaitListening());
            using RfbTestClient client = await RfbTestClient.ConnectAsync("unix:" + path);
            Assert.Null(await client.HandshakeAsync());
            await client.RequestAsync(incremental: false);
            Assert.NotNull(await client.ReadUpdateAsync());
            ServeEncodingTests.AssertShows(client, replay.Expected, client.Format);
            Assert.Equal(ExitCodes.Success, host.Stop());
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Json_WritesStatusLines_WithEachClient()
    {
        using var host = ServeHost.Handler(new ServeOptions { Device = "sim:replay=" + replay.Json, Listen = "127.0.0.1:0", Json = true, StatusIntervalMs = 200 });
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(5);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        JsonElement? seen = null;
        for (int i = 0; i < 50 && seen is null; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            foreach (string line in host.Output.Split('\n').Where(l => l.StartsWith('{')))
            {
                JsonElement status = JsonDocument.Parse(line).RootElement;
                JsonElement[] clients = [.. status.GetProperty("clients").EnumerateArray()];
                if (clients.Length == 1 && clients[0].GetProperty("updates").GetInt64() == 1)
                {
                    seen = clients[0];
                }
            }
        }

        Assert.NotNull(seen);
        Assert.Equal("hextile", seen.Value.GetProperty("encoding").GetString());
        Assert.True(seen.Value.GetProperty("bytes_sent").GetInt64() > seen.Value.GetProperty("last_update_bytes").GetInt64());
        Assert.True(seen.Value.GetProperty("last_update_bytes").GetInt64() > 1000);
    }

    [Fact]
    public async Task DeviceGone_SendsALastFrameWithTheMessage_AndExitsOne()
    {
        using var host = ServeHost.Cli("sim:unplug=100", "--listen", "127.0.0.1:0", "--interval", "20");
        using RfbTestClient client = await RfbTestClient.ConnectAsync(host.WaitListening());
        Assert.Null(await client.HandshakeAsync());
        await client.SetEncodingsAsync(16);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        bool sawDimmed = false;
        for (int i = 0; i < 200 && !sawDimmed; i++)
        {
            await client.RequestAsync(incremental: true);
            if (await client.ReadUpdateAsync(TimeSpan.FromSeconds(10)) is null)
            {
                break;
            }

            // The message box is black with white text in the middle of the screen.
            sawDimmed = client.ValueAt(client.Width / 2, (client.Height / 2) - 20) == 0;
        }

        Assert.True(sawDimmed, "no frame with the message box arrived");
        Assert.Equal(ExitCodes.DeviceFailure, host.WaitExit(TimeSpan.FromSeconds(20)));
        Assert.Contains("device gone", host.Error);
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
    }

    private static async Task AssertStillServes(string endpoint)
    {
        using RfbTestClient good = await RfbTestClient.ConnectAsync(endpoint);
        Assert.Null(await good.HandshakeAsync());
        await good.RequestAsync(incremental: false);
        Assert.NotNull(await good.ReadUpdateAsync());
    }
}
