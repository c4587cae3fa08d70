// An RFB client written from the spec (rfbproto) for the tests: handshake, requests, and the decoders.
using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>One rectangle of a FramebufferUpdate as the test client read it.</summary>
internal sealed record TestRect(int X, int Y, int Width, int Height, int Encoding);

/// <summary>
/// A test client. It keeps the framebuffer as pixel values in the format it asked for and
/// decodes Raw, Hextile, ZRLE and Tight (basic) into it; pseudo-rectangles are recorded. Every
/// read has a deadline, so a server that says nothing fails the test instead of hanging it.
/// </summary>
internal sealed partial class RfbTestClient : IDisposable
{
    private readonly IDisposable _connection;
    private Stream _stream;
    private readonly TimeSpan _timeout;

    private RfbTestClient(IDisposable connection, Stream stream, TimeSpan timeout)
    {
        _connection = connection;
        _stream = stream;
        _timeout = timeout;
    }

    /// <summary>A client that reads server messages from <paramref name="bytes"/>, its framebuffer already set up.</summary>
    public static RfbTestClient FromServerBytes(byte[] bytes, int width, int height, TestPixelFormat format)
    {
        var stream = new MemoryStream(bytes, writable: false);
        return new RfbTestClient(stream, stream, TimeSpan.FromSeconds(5)) { Width = width, Height = height, Format = format, Pixels = new uint[width * height] };
    }

    /// <summary>RFB over a WebSocket (ws:// or wss://), binary messages, as noVNC speaks it.</summary>
    public static async Task<RfbTestClient> ConnectWebSocketAsync(Uri uri, string? origin = null, TimeSpan? timeout = null)
    {
        Assert.Equal("127.0.0.1", uri.Host);
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("binary");
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(uri, cancel.Token);
        Assert.Equal("binary", socket.SubProtocol);
        Stream stream = System.Net.WebSockets.WebSocketStream.Create(socket, System.Net.WebSockets.WebSocketMessageType.Binary, ownsWebSocket: true);
        return new RfbTestClient(socket, stream, timeout ?? TimeSpan.FromSeconds(20));
    }

    public string ServerVersion { get; private set; } = string.Empty;

    public int Width { get; private set; }

    public int Height { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public TestPixelFormat Format { get; private set; } = TestPixelFormat.Rgb888;

    public TestPixelFormat ServerFormat { get; private set; } = TestPixelFormat.Rgb888;

    /// <summary>The framebuffer: Width * Height pixel values.</summary>
    public uint[] Pixels { get; private set; } = [];

    /// <summary>The last Cursor pseudo-rectangle: hotspot, size, pixel values and mask.</summary>
    public (int HotX, int HotY, int Width, int Height, uint[] Pixels, byte[] Mask)? Cursor { get; private set; }

    /// <summary>The last PointerPos pseudo-rectangle.</summary>
    public (int X, int Y)? PointerPos { get; private set; }

    public int SecurityType { get; private set; }

    public static async Task<RfbTestClient> ConnectAsync(string endpoint, TimeSpan? timeout = null)
    {
        Socket socket;
        if (endpoint.StartsWith("unix:", StringComparison.Ordinal))
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint[5..]));
        }
        else
        {
            int colon = endpoint.LastIndexOf(':');
            Assert.StartsWith("127.0.0.1:", endpoint);
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return new RfbTestClient(socket, new NetworkStream(socket, ownsSocket: true), timeout ?? TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Version, security, ClientInit, ServerInit. <paramref name="version"/> is what the client
    /// answers ("3.3", "3.7", "3.8"); a password answers VNC authentication; tls takes VeNCrypt.
    /// Returns null on success, else the server's reason (or "closed").
    /// </summary>
    public async Task<string?> HandshakeAsync(string version = "3.8", string? password = null, bool tls = false)
    {
        ServerVersion = Encoding.ASCII.GetString(await ReadAsync(12));
        await WriteAsync(Encoding.ASCII.GetBytes($"RFB 003.00{version[2]}\n"));
        int type;
        if (version == "3.3")
        {
            type = (int)U32(await ReadAsync(4));
            if (type == 0)
            {
                return await ReasonAsync();
            }
        }
        else
        {
            int count = (await ReadAsync(1))[0];
            if (count == 0)
            {
                return await ReasonAsync();
            }

            byte[] types = await ReadAsync(count);
            type = tls ? 19 : password is not null ? 2 : 1;
            Assert.Contains((byte)type, types);
            await WriteAsync([(byte)type]);
        }

        SecurityType = type;
        if (type == 19)
        {
            await VeNCryptAsync(password);
        }
        else if (type == 2)
        {
            await VncAuthAsync(password ?? string.Empty);
        }

        if (type != 1 || version == "3.8")
        {
            uint result = U32(await ReadAsync(4));
            if (result != 0)
            {
                return version == "3.8" ? await ReasonAsync() : "failed";
            }
        }

        await WriteAsync([1]); // ClientInit, shared
        byte[] init = await ReadAsync(24);
        Width = BinaryPrimitives.ReadUInt16BigEndian(init);
        Height = BinaryPrimitives.ReadUInt16BigEndian(init.AsSpan(2));
        ServerFormat = TestPixelFormat.FromBytes(init.AsSpan(4, 16));
        Format = ServerFormat;
        Name = Encoding.UTF8.GetString(await ReadAsync((int)U32(init.AsSpan(20))));
        Pixels = new uint[Width * Height];
        return null;
    }

    private async Task<string> ReasonAsync()
    {
        try
        {
            return Encoding.UTF8.GetString(await ReadAsync((int)Math.Min(U32(await ReadAsync(4)), 4096)));
        }
        catch (EndOfStreamException)
        {
            return "closed";
        }
    }

    // rfbproto 7.2.2, written from the spec: DES-ECB of the challenge, key = password bytes with each byte's bits mirrored.
    private async Task VncAuthAsync(string password)
    {
        byte[] challenge = await ReadAsync(16);
        byte[] key = new byte[8];
        for (int i = 0; i < password.Length && i < 8; i++)
        {
            int c = password[i], mirrored = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((c & (1 << bit)) != 0)
                {
                    mirrored |= 0x80 >> bit;
                }
            }

            key[i] = (byte)mirrored;
        }

        using var des = DES.Create();
        des.Key = key;
        await WriteAsync(des.EncryptEcb(challenge, PaddingMode.None));
    }

    private async Task VeNCryptAsync(string? password)
    {
        byte[] version = await ReadAsync(2);
        Assert.Equal([0, 2], version);
        await WriteAsync([0, 2]);
        Assert.Equal(0, (await ReadAsync(1))[0]);
        int count = (await ReadAsync(1))[0];
        byte[] list = await ReadAsync(count * 4);
        uint want = password is null ? 260u : 261u;
        var offered = Enumerable.Range(0, count).Select(i => U32(list.AsSpan(i * 4))).ToList();
        Assert.Contains(want, offered);
        byte[] choice = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(choice, want);
        await WriteAsync(choice);
        Assert.Equal(1, (await ReadAsync(1))[0]);
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, certificate, _, _) => { ServerCertificate = certificate?.GetRawCertData(); return true; });
        using var cancel = new CancellationTokenSource(_timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancel.Token);
        _stream = tls;
        if (password is not null)
        {
            await VncAuthAsync(password);
        }
    }

    /// <summary>The DER of the certificate the server showed in VeNCrypt.</summary>
    public byte[]? ServerCertificate { get; private set; }

    public Task SetPixelFormatAsync(TestPixelFormat format)
    {
        Format = format;
        byte[] m = new byte[20];
        format.ToBytes().CopyTo(m.AsSpan(4));
        return WriteAsync(m);
    }

    public Task SetEncodingsAsync(params int[] encodings)
    {
        byte[] m = new byte[4 + (4 * encodings.Length)];
        m[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)encodings.Length);
        for (int i = 0; i < encodings.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(4 + (4 * i)), encodings[i]);
        }

        return WriteAsync(m);
    }

    public Task RequestAsync(bool incremental)
    {
        byte[] m = new byte[10];
        m[0] = 3;
        m[1] = (byte)(incremental ? 1 : 0);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), (ushort)Width);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(8), (ushort)Height);
        return WriteAsync(m);
    }

    public async Task WriteAsync(byte[] bytes)
    {
        using var cancel = new CancellationTokenSource(_timeout);
        await _stream.WriteAsync(bytes, cancel.Token);
        await _stream.FlushAsync(cancel.Token);
    }

    /// <summary>Exactly <paramref name="count"/> bytes; EndOfStreamException when the server closes.</summary>
    public async Task<byte[]> ReadAsync(int count, TimeSpan? timeout = null)
    {
        byte[] buffer = new byte[count];
        using var cancel = new CancellationTokenSource(timeout ?? _timeout);
        int done = 0;
        while (done < count)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(done), cancel.Token);
            if (n == 0)
            {
                throw new EndOfStreamException($"the server closed the connection after {done} of {count} bytes");
            }

            done += n;
        }

        return buffer;
    }

    /// <summary>Whether the server closed the connection within the timeout (reading and discarding what it sends).</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[65536];
        try
        {
            while (await _stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static uint U32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b);

    /// <summary>The RGB of the framebuffer's pixel at (x, y), each channel back at 8 bits as the format allows; padding bits, which a server may set, are left out.</summary>
    public uint ValueAt(int x, int y) => Pixels[(y * Width) + x] & Format.ChannelBits;

    public void Dispose()
    {
        _stream.Dispose();
        _connection.Dispose();
        foreach (ZlibFeed? z in _tight)
        {
            z?.Dispose();
        }

        _zrle?.Dispose();
    }
}
