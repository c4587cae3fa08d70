// serve --web: RFB over WebSocket (ws and wss), noVNC's pages or how to install them, other sites refused.
using System.Net;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class ServeWebTests(ReplayFixture replay) : IClassFixture<ReplayFixture>
{
    private const string NoVnc = "/usr/share/novnc/vnc.html";

    [Fact]
    public async Task WebSocket_ServesTheFrame_AndThePageIsNoVncOrHowToInstallIt()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0");
        host.WaitListening();
        string page = host.WaitListening("web ");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/vnc\.html$", page);
        var pageUri = new Uri(page);
        using (RfbTestClient client = await RfbTestClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{pageUri.Port}/websockify")))
        {
            Assert.Null(await client.HandshakeAsync());
            await client.SetEncodingsAsync(7, -239);
            await client.RequestAsync(incremental: false);
            Assert.NotNull(await client.ReadUpdateAsync());
            ServeEncodingTests.AssertShows(client, replay.Primary, client.Format);
            Assert.Equal((replay.HotX, replay.HotY), (client.Cursor!.Value.HotX, client.Cursor.Value.HotY));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        HttpResponseMessage response = await http.GetAsync(pageUri, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (File.Exists(NoVnc))
        {
            Assert.Equal(await File.ReadAllTextAsync(NoVnc, TestContext.Current.CancellationToken), body);
        }
        else
        {
            Assert.Contains("apt-get install novnc", body);
        }
    }

    [Fact]
    public async Task WebSocket_FromAnotherSite_IsRefused()
    {
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0");
        var page = new Uri(host.WaitListening("web "));
        await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() =>
            RfbTestClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{page.Port}/websockify"), origin: "http://evil.example"));
        Assert.True(host.WaitError("refused: WebSocket from another site (http://evil.example)", TimeSpan.FromSeconds(5)), host.Error);
        using RfbTestClient same = await RfbTestClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{page.Port}/websockify"), origin: $"http://127.0.0.1:{page.Port}");
        Assert.Null(await same.HandshakeAsync());
    }

    [Fact]
    public async Task Wss_WithTheTlsCertificate_ServesTheFrame()
    {
        (string cert, string key, _) = ServeSecurityTests.SelfSigned(replay.Directory);
        using var host = ServeHost.Cli("sim:replay=" + replay.Json, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key);
        string page = host.WaitListening("web ");
        Assert.StartsWith("https://127.0.0.1:", page);
        using RfbTestClient client = await RfbTestClient.ConnectWebSocketAsync(new Uri($"wss://127.0.0.1:{new Uri(page).Port}/"));
        // TLS is the WebSocket's: the RFB stream inside offers no VeNCrypt, which noVNC cannot start there.
        Assert.Null(await client.HandshakeAsync("3.8"));
        Assert.Equal(1, client.SecurityType);
        await client.RequestAsync(incremental: false);
        Assert.NotNull(await client.ReadUpdateAsync());
        ServeEncodingTests.AssertShows(client, replay.Expected, client.Format);
    }
}
