// A session's handshake: protocol version, security (None, VNC password, VeNCrypt TLS), init messages.
using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

internal sealed partial class RfbSession
{
    private const byte SecurityNone = 1;
    private const byte SecurityVncAuth = 2;
    private const byte SecurityVeNCrypt = 19;
    private const uint VeNCryptX509None = 260;
    private const uint VeNCryptX509Vnc = 261;

    private int _minor;
    private string _version = "3.8";
    private string _securityName = "none";
    private int _clientWidth;
    private int _clientHeight;

    // rfbproto 7.1: version, security, ClientInit, ServerInit. False when the client was refused (already logged).
    private async Task<bool> HandshakeAsync(CancellationToken cancel)
    {
        await WriteAsync("RFB 003.008\n"u8.ToArray(), cancel).ConfigureAwait(false);
        ReadOnlyMemory<byte> version = await _reader.ReadAsync(12, cancel).ConfigureAwait(false);
        if (ParseVersion(version.Span) is not int minor)
        {
            _log.Line($"client {Id} {Peer}: refused: not an RFB 3.x version message: {Printable(version.Span)}");
            return false;
        }

        // rfbproto 7.1.1: 3.3, 3.7 and 3.8 are the published versions; 3.4 and 3.6 (old
        // UltraVNC) are treated as 3.3, 3.5 never existed, anything later as 3.8.
        _minor = minor >= 8 ? 8 : minor == 7 ? 7 : 3;
        _version = $"3.{_minor}";
        byte offered = _settings.Certificate is not null ? SecurityVeNCrypt : _settings.PasswordKey is not null ? SecurityVncAuth : SecurityNone;
        byte chosen;
        if (_minor == 3)
        {
            // 3.3: the server decides and sends the type as a u32; 0 is a failure with a reason.
            if (offered == SecurityVeNCrypt)
            {
                await FailAsync("this server needs TLS (VeNCrypt), which RFB 3.3 cannot negotiate", cancel).ConfigureAwait(false);
                _log.Line($"client {Id} {Peer}: refused: an RFB 3.3 client cannot use VeNCrypt");
                return false;
            }

            await WriteAsync(U32(offered), cancel).ConfigureAwait(false);
            chosen = offered;
        }
        else
        {
            await WriteAsync(new byte[] { 1, offered }, cancel).ConfigureAwait(false);
            chosen = await _reader.ReadByteAsync(cancel).ConfigureAwait(false);
            if (chosen != offered)
            {
                await ResultAsync(false, $"security type {chosen} was not offered", cancel).ConfigureAwait(false);
                _log.Line($"client {Id} {Peer}: refused: chose security type {chosen}, offered {offered}");
                return false;
            }
        }

        bool passed = chosen switch
        {
            SecurityVncAuth => await VncAuthAsync(cancel).ConfigureAwait(false),
            SecurityVeNCrypt => await VeNCryptAsync(cancel).ConfigureAwait(false),
            _ => true,
        };
        if (chosen == SecurityNone)
        {
            // 3.8 sends SecurityResult for every type; 3.3 and 3.7 skip it for None.
            if (_minor == 8)
            {
                await ResultAsync(true, null, cancel).ConfigureAwait(false);
            }
        }
        else
        {
            await ResultAsync(passed, passed ? null : "authentication failed", cancel).ConfigureAwait(false);
        }

        if (!passed)
        {
            _log.Line($"client {Id} {Peer}: refused: authentication failed ({_securityName})");
            return false;
        }

        await _reader.ReadByteAsync(cancel).ConfigureAwait(false); // ClientInit: shared-flag; every client shares.
        ScreenFrame frame = _loop.Acquire();
        try
        {
            _clientWidth = frame.Width;
            _clientHeight = frame.Height;
            byte[] name = Encoding.UTF8.GetBytes(_loop.Name);
            byte[] init = new byte[24 + name.Length];
            BinaryPrimitives.WriteUInt16BigEndian(init, (ushort)frame.Width);
            BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), (ushort)frame.Height);
            RfbPixelFormat.Default.Write(init.AsSpan(4));
            BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(20), (uint)name.Length);
            name.CopyTo(init.AsSpan(24));
            _sentSizeVersion = frame.SizeVersion;
            await WriteAsync(init, cancel).ConfigureAwait(false);
        }
        finally
        {
            frame.Release();
        }

        return true;
    }

    private static int? ParseVersion(ReadOnlySpan<byte> v)
    {
        if (!v.StartsWith("RFB 003."u8) || v[11] != (byte)'\n')
        {
            return null;
        }

        int minor = 0;
        foreach (byte b in v[8..11])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return null;
            }

            minor = (minor * 10) + (b - '0');
        }

        return minor;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return $"'{text}'";
    }

    private async Task<bool> VncAuthAsync(CancellationToken cancel)
    {
        _securityName = _securityName == "none" ? "vnc password" : _securityName + " + vnc password";
        byte[] challenge = RandomNumberGenerator.GetBytes(VncAuth.ChallengeLength);
        await WriteAsync(challenge, cancel).ConfigureAwait(false);
        ReadOnlyMemory<byte> response = await _reader.ReadAsync(VncAuth.ChallengeLength, cancel).ConfigureAwait(false);
        return VncAuth.Verify(_settings.PasswordKey!, challenge, response.Span);
    }

    // VeNCrypt (rfbproto 7.2.19): version 0.2, a list of subtypes, the client's choice, an
    // acknowledgement, then TLS; X509Vnc goes on with VNC authentication inside TLS.
    private async Task<bool> VeNCryptAsync(CancellationToken cancel)
    {
        _securityName = "vencrypt";
        await WriteAsync(new byte[] { 0, 2 }, cancel).ConfigureAwait(false);
        ReadOnlyMemory<byte> version = await _reader.ReadAsync(2, cancel).ConfigureAwait(false);
        if (version.Span[0] != 0 || version.Span[1] != 2)
        {
            await WriteAsync(new byte[] { 255 }, cancel).ConfigureAwait(false);
            throw new InvalidDataException($"VeNCrypt version {version.Span[0]}.{version.Span[1]} (only 0.2 is served)");
        }

        uint subtype = _settings.PasswordKey is not null ? VeNCryptX509Vnc : VeNCryptX509None;
        byte[] list = new byte[6];
        list[1] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(2), subtype);
        await WriteAsync(list, cancel).ConfigureAwait(false);
        ReadOnlyMemory<byte> choice = await _reader.ReadAsync(4, cancel).ConfigureAwait(false);
        uint chosen = BinaryPrimitives.ReadUInt32BigEndian(choice.Span);
        if (chosen != subtype)
        {
            await WriteAsync(new byte[] { 0 }, cancel).ConfigureAwait(false);
            throw new InvalidDataException($"VeNCrypt subtype {chosen} was not offered ({subtype} was)");
        }

        await WriteAsync(new byte[] { 1 }, cancel).ConfigureAwait(false);
        if (_reader.Buffered != 0)
        {
            throw new InvalidDataException("the client sent data before the TLS handshake");
        }

        var tls = new SslStream(_transport, leaveInnerStreamOpen: true);
        _stream = tls;
        _reader.Stream = tls;
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = _settings.Certificate,
            ClientCertificateRequired = false,
        }, cancel).ConfigureAwait(false);
        _securityName = $"vencrypt {(subtype == VeNCryptX509Vnc ? "x509vnc" : "x509none")}, {tls.SslProtocol}";
        return subtype != VeNCryptX509Vnc || await VncAuthAsync(cancel).ConfigureAwait(false);
    }

    // SecurityResult: 0 OK, 1 failed; 3.8 adds a reason string to a failure.
    private async Task ResultAsync(bool ok, string? reason, CancellationToken cancel)
    {
        if (ok || _minor < 8)
        {
            await WriteAsync(U32(ok ? 0u : 1u), cancel).ConfigureAwait(false);
            return;
        }

        byte[] text = Encoding.UTF8.GetBytes(reason ?? "failed");
        byte[] message = new byte[8 + text.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)text.Length);
        text.CopyTo(message.AsSpan(8));
        await WriteAsync(message, cancel).ConfigureAwait(false);
    }

    // Refusal before security: 3.3 sends type 0, later versions an empty list; both then a reason.
    private async Task FailAsync(string reason, CancellationToken cancel)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        byte[] message = new byte[(_minor == 3 ? 4 : 1) + 4 + text.Length];
        int at = _minor == 3 ? 4 : 1;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(at), (uint)text.Length);
        text.CopyTo(message.AsSpan(at + 4));
        await WriteAsync(message, cancel).ConfigureAwait(false);
    }

    private static byte[] U32(uint value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        await _stream.WriteAsync(bytes, cancel).ConfigureAwait(false);
        await _stream.FlushAsync(cancel).ConfigureAwait(false);
        Stats.BytesSent += bytes.Length;
    }
}
