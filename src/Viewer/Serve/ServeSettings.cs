// What every client session of one server shares: authentication, encodings, limits.
using System.Security.Cryptography.X509Certificates;

namespace VgpuView.Viewer.Serve;

/// <summary>The server-wide choices a session follows.</summary>
internal sealed record ServeSettings
{
    /// <summary>The DES key of the VNC password, or null for no password.</summary>
    public byte[]? PasswordKey { get; init; }

    /// <summary>The TLS certificate (with its key) for VeNCrypt and wss, or null.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The encodings the server may use, in no order: the client's order decides.</summary>
    public IReadOnlySet<int> Encodings { get; init; } = new HashSet<int>();

    /// <summary>How long a client has to finish the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one update may take to leave before the client counts as stalled and is dropped.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
