// Parses and opens a --listen or --web address: ADDR:PORT or unix:PATH.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VgpuView.VfioPlanes;

namespace VgpuView.Viewer.Serve;

/// <summary>A TCP endpoint or a unix socket path to listen on.</summary>
internal sealed record ListenAddress(IPEndPoint? Endpoint, string? UnixPath)
{
    /// <summary>Loopback or a unix socket: reachable from this machine only.</summary>
    public bool IsLocal => UnixPath is not null || IPAddress.IsLoopback(Endpoint!.Address);

    /// <summary>Parses "127.0.0.1:5900", "[::1]:0", "localhost:5900", "0.0.0.0:5900" or "unix:/run/x.sock".</summary>
    public static ListenAddress Parse(string text, string option, bool allowUnix)
    {
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = text["unix:".Length..];
            if (!allowUnix || path.Length == 0)
            {
                throw new InputException(allowUnix ? $"{option} unix: needs a path, as in unix:/run/vgpuview.sock" : $"{option} takes ADDR:PORT, not a unix socket");
            }

            return new ListenAddress(null, Path.GetFullPath(path));
        }

        int colon = text.LastIndexOf(':');
        string form = $"{option} must be ADDR:PORT (as in 127.0.0.1:5900, [::1]:5900, 0.0.0.0:5900){(allowUnix ? " or unix:PATH" : string.Empty)}, not '{text}'";
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new InputException(form);
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        IPAddress? address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null;
        return address is null ? throw new InputException(form) : new ListenAddress(new IPEndPoint(address, port), null);
    }

    /// <summary>Binds and listens; a port in use or a path taken is an IOException naming it.</summary>
    public Socket Open(string option)
    {
        if (UnixPath is not null)
        {
            // A socket file is not replaced: it may be another server's, and telling a stale one
            // from a live one by connecting would not tell a socket from a plain file.
            if (Path.Exists(UnixPath))
            {
                throw new IOException($"{option} unix:{UnixPath}: the path exists; remove it if no server listens there");
            }

            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                unix.Bind(new UnixDomainSocketEndPoint(UnixPath));
                unix.Listen(128);
                return unix;
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw new IOException($"{option} unix:{UnixPath}: {e.Message}", e);
            }
        }

        var socket = new Socket(Endpoint!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(Endpoint);
            socket.Listen(128);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            string why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is in use" : e.Message;
            throw new IOException($"{option} {Endpoint}: cannot listen: {why}", e);
        }
    }

    /// <summary>How the address is printed once bound: "127.0.0.1:5900", "[::1]:5900", "unix:/path".</summary>
    public static string Describe(Socket socket, ListenAddress address) =>
        address.UnixPath is not null ? $"unix:{address.UnixPath}" : ((IPEndPoint)socket.LocalEndPoint!).ToString();
}
