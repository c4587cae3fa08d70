// `vgpuview serve` as a child process: started with the test's options, the listeners it prints
// read back, ended with SIGTERM (which must give exit 0) or killed when the test fails.
using System.Globalization;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed class ServeProcess : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);

    private readonly ChildProcess _process;

    private ServeProcess(ChildProcess process, int rfbPort, Uri? web)
    {
        _process = process;
        RfbPort = rfbPort;
        Web = web;
    }

    /// <summary>The TCP port of the RFB listener on 127.0.0.1.</summary>
    public int RfbPort { get; }

    /// <summary>The noVNC page the server printed for --web, or null.</summary>
    public Uri? Web { get; }

    public string Errors => _process.Errors;

    /// <summary>
    /// Starts <c>vgpuview serve DEVICE --listen 127.0.0.1:0 ARGS...</c> and waits for the lines that
    /// say where it listens (one <c>web</c> line too when <paramref name="args"/> has --web).
    /// </summary>
    public static ServeProcess Start(string device, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string[] all = [Path.Combine(AppContext.BaseDirectory, "vgpuview.dll"), "serve", device, "--listen", "127.0.0.1:0", .. args];
        var process = ChildProcess.Start("vgpuview serve", Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", all, environment);
        try
        {
            string rfb = process.WaitForOutput(l => l.StartsWith("rfb ", StringComparison.Ordinal), s_startTimeout, "its 'rfb 127.0.0.1:PORT' line");
            const string Prefix = "rfb 127.0.0.1:";
            Assert.True(rfb.StartsWith(Prefix, StringComparison.Ordinal), $"expected '{Prefix}PORT', got '{rfb}'");
            int port = int.Parse(rfb.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.InRange(port, 1, 65535);

            Uri? web = null;
            if (all.Contains("--web"))
            {
                string line = process.WaitForOutput(l => l.StartsWith("web ", StringComparison.Ordinal), s_startTimeout, "its 'web URL' line");
                web = new Uri(line["web ".Length..].Trim());
                Assert.Equal("127.0.0.1", web.Host);
            }

            return new ServeProcess(process, port, web);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM ends the server with exit 0 within a few seconds.</summary>
    public void StopAndCheckExit()
    {
        int? code = _process.Terminate(TimeSpan.FromSeconds(10));
        Assert.True(code == 0, $"vgpuview serve after SIGTERM: {(code is null ? "still running after 10 s, killed" : "exit " + code)}; stderr: {Errors}");
    }

    public void Dispose() => _process.Dispose();
}
