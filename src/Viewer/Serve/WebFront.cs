// The --web listener: RFB over WebSocket, and noVNC's pages where the distribution installed them.
using System.Security.Cryptography.X509Certificates;

namespace VgpuView.Viewer.Serve;

/// <summary>Serves RFB over WebSocket on any path, and the files of Debian's novnc package.</summary>
internal sealed class WebFront : IDisposable
{
    private WebFront(string url)
    {
        Url = url;
    }

    /// <summary>The page to open: http(s)://ADDR:PORT/vnc.html.</summary>
    public string Url { get; }

    public static WebFront Start(ListenAddress address, X509Certificate2? certificate, RfbServer server, ServeLog log, CancellationToken stop)
    {
        _ = (certificate, server, log, stop);
        throw new NotSupportedException($"--web {address.Endpoint}: the web listener is not built in yet");
    }

    public void Dispose()
    {
    }
}
