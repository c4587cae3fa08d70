// The --web listener: RFB over WebSocket, and noVNC's pages where the distribution installed them.
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// Kestrel on one address: a WebSocket request on any path (noVNC asks for /websockify) is an
/// RFB client of the same server, its bytes in binary messages (the "binary" subprotocol is
/// accepted when offered); other requests get the files of Debian's novnc package from
/// /usr/share/novnc, or a page saying how to install it. With a certificate it is https and
/// wss, and the RFB stream inside offers the password (or nothing), not VeNCrypt. A WebSocket whose Origin is another
/// site is refused, so a page on the web cannot read the screen through the user's browser.
/// </summary>
internal sealed class WebFront : IDisposable
{
    /// <summary>Where Debian's novnc package puts noVNC.</summary>
    public const string NoVncDirectory = "/usr/share/novnc";

    private readonly WebApplication _app;

    private WebFront(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The page to open: http(s)://ADDR:PORT/vnc.html.</summary>
    public string Url { get; }

    public static WebFront Start(ListenAddress address, X509Certificate2? certificate, RfbServer server, ServeLog log, CancellationToken stop, string noVnc = NoVncDirectory)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Listen(address.Endpoint!, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        WebApplication app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        bool haveNoVnc = File.Exists(Path.Combine(noVnc, "vnc.html"));
        app.Use(async (context, next) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            string peer = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort} (websocket)";
            if (!SameOrigin(context.Request))
            {
                log.Line($"client {peer}: refused: WebSocket from another site ({context.Request.Headers.Origin})");
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            string? protocol = context.WebSockets.WebSocketRequestedProtocols.Contains("binary") ? "binary" : null;
            WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(protocol).ConfigureAwait(false);
            Stream stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
            await server.Serve(stream, peer, stop, encryptedTransport: context.Request.IsHttps).ConfigureAwait(false);
        });
        if (haveNoVnc)
        {
            var files = new PhysicalFileProvider(noVnc);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, DefaultFileNames = ["vnc.html"] });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }

        app.Run(async context =>
        {
            context.Response.StatusCode = haveNoVnc ? StatusCodes.Status404NotFound : StatusCodes.Status200OK;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(haveNoVnc
                ? "<!doctype html><title>vgpuview</title><p>Not found. The viewer is at <a href=\"/vnc.html\">/vnc.html</a>.</p>"
                : "<!doctype html><title>vgpuview</title><h1>vgpuview serve</h1><p>noVNC is not installed, so there is no page to show the " +
                  "screen with. Install Debian's package: <code>apt-get install novnc</code>, then reload. Any noVNC can also " +
                  "connect to this address (its WebSocket path does not matter).</p>").ConfigureAwait(false);
        });
        try
        {
            app.StartAsync(stop).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new IOException($"--web {address.Endpoint}: cannot listen: {(e.InnerException as System.Net.Sockets.SocketException)?.Message ?? e.Message}", e);
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(bound);
        string host = address.Endpoint!.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address.Endpoint.Address}]" : address.Endpoint.Address.ToString();
        if (!haveNoVnc)
        {
            log.Line($"--web: noVNC is not installed ({noVnc}/vnc.html is missing): apt-get install novnc");
        }

        return new WebFront(app, $"{(certificate is null ? "http" : "https")}://{host}:{uri.Port}/vnc.html");
    }

    // Browsers send Origin with every WebSocket request; other clients usually do not. An origin
    // is accepted when its host and port are the ones the request was sent to.
    private static bool SameOrigin(HttpRequest request)
    {
        string origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri) &&
            string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            _app.StopAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the limit are cut by DisposeAsync.
        }

        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
