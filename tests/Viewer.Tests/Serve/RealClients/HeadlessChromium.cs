// Debian's Chromium, headless, in a new empty profile, driven through its DevTools protocol
// (the port it picks itself, read from DevToolsActivePort): pages are opened and read with
// Runtime.evaluate. The browser and its children are killed when the test ends.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed class HeadlessChromium : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(20);

    private readonly ChildProcess _process;
    private readonly string _profile;

    private HeadlessChromium(ChildProcess process, string profile, DevToolsSession devTools)
    {
        _process = process;
        _profile = profile;
        DevTools = devTools;
    }

    public DevToolsSession DevTools { get; }

    public static string Require() => Requires.Program("chromium", "chromium");

    /// <summary>
    /// Starts Chromium as this machine's notes say it must run here: as root it needs
    /// --no-sandbox; with no network beyond loopback the background services (networking,
    /// component updates, sync, QUIC) are turned off, or they keep failing to connect.
    /// </summary>
    public static async Task<HeadlessChromium> StartAsync()
    {
        string chromium = Require();
        string profile = Directory.CreateTempSubdirectory("vgpuview-chromium-").FullName;
        ChildProcess process = ChildProcess.Start("chromium", chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--force-device-scale-factor=1", "--window-size=1280,1024",
            "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "about:blank",
        ]);
        try
        {
            // Chromium writes the port it listens on and the browser's WebSocket path into
            // DevToolsActivePort in the profile once it is ready.
            string activePort = Path.Combine(profile, "DevToolsActivePort");
            var clock = Stopwatch.StartNew();
            string[] lines = [];
            while (lines.Length < 2)
            {
                Assert.False(process.HasExited, $"chromium exited before it listened for DevTools: {process.Errors}");
                Assert.True(clock.Elapsed < s_startTimeout, $"chromium wrote no {activePort} in {s_startTimeout.TotalSeconds} s: {process.Errors}");
                Thread.Sleep(50);
                lines = File.Exists(activePort) ? File.ReadAllLines(activePort) : [];
            }

            int port = int.Parse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture);
            var endpoint = new Uri($"ws://127.0.0.1:{port}{lines[1]}");
            DevToolsSession devTools = await DevToolsSession.ConnectAsync(endpoint, s_startTimeout);
            return new HeadlessChromium(process, profile, devTools);
        }
        catch
        {
            process.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> in a new tab and returns the DevTools session id attached to it.</summary>
    public async Task<string> OpenAsync(Uri url)
    {
        Assert.True(url.IsLoopback, "the tests open pages on 127.0.0.1 only: " + url);
        JsonObject created = await DevTools.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, s_commandTimeout);
        string targetId = (string)created["targetId"]!;
        JsonObject attached = await DevTools.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true }, null, s_commandTimeout);
        string session = (string)attached["sessionId"]!;
        await DevTools.SendAsync("Runtime.enable", null, session, s_commandTimeout);
        await DevTools.SendAsync("Log.enable", null, session, s_commandTimeout);
        await DevTools.SendAsync("Page.enable", null, session, s_commandTimeout);
        await DevTools.SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, session, s_commandTimeout);
        return session;
    }

    public Task<JsonNode?> EvaluateAsync(string session, string expression) => DevTools.EvaluateAsync(session, expression, s_commandTimeout);

    public void Dispose()
    {
        DevTools.Dispose();
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A child still writing into the profile as it dies: it is in /tmp.
        }
    }
}
