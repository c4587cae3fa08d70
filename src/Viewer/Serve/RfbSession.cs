// One client of `serve`: its handshake, its messages, and its updates.
using System.Buffers.Binary;
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// A client connection. The read loop parses the client's messages and records what it asked
/// for; the send loop, woken by the frame loop or by a request, builds one update from the
/// newest frame and writes it. Only the send loop writes after the handshake, so a client that
/// stops reading stalls only its own send loop, which drops it after the stall timeout; the
/// frame loop and the other clients never wait for it. Updates coalesce: a client is sent what
/// changed since the version it last got, however many frames passed meanwhile.
/// </summary>
internal sealed partial class RfbSession : IAsyncDisposable
{
    // Client-to-server message types (rfbproto 7.5).
    private const byte SetPixelFormatMessage = 0;
    private const byte SetEncodingsMessage = 2;
    private const byte UpdateRequestMessage = 3;
    private const byte KeyEventMessage = 4;
    private const byte PointerEventMessage = 5;
    private const byte CutTextMessage = 6;
    private const byte EnableContinuousUpdatesMessage = 150;
    private const byte FenceMessage = 248;
    private const byte SetDesktopSizeMessage = 251;

    /// <summary>Cut text is read and ignored; longer than this is taken as an attack.</summary>
    private const int MaxCutText = 1 << 20;

    private readonly Stream _transport;
    private readonly ServeSettings _settings;
    private readonly FrameLoop _loop;
    private readonly ServeLog _log;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _state = new();
    private readonly RfbReader _reader;
    private Stream _stream;

    // Guarded by _state: what the client asked for.
    private RfbPixelFormat _format = RfbPixelFormat.Default;
    private int[] _clientEncodings = [];
    private bool _updateRequested;
    private bool _fullRequested;
    private bool _continuous;
    private bool _endContinuousPending;
    private byte[]? _fenceReply;
    private bool _resizeRefusalPending;
    private bool _encodingsChanged = true;

    public RfbSession(Stream stream, string peer, int id, ServeSettings settings, FrameLoop loop, ServeLog log)
    {
        _transport = stream;
        _stream = stream;
        _reader = new RfbReader(stream);
        Peer = peer;
        Id = id;
        _settings = settings;
        _loop = loop;
        _log = log;
    }

    public string Peer { get; }

    public int Id { get; }

    /// <summary>Counters for the status output.</summary>
    public SessionStats Stats { get; } = new();

    /// <summary>Whether the handshake is done and updates flow.</summary>
    public bool Ready { get; private set; }

    /// <summary>The frame loop published a frame: wake the send loop.</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
        catch (ObjectDisposedException)
        {
            // Gone.
        }
    }

    /// <summary>Serves the client until it leaves, misbehaves, stalls, or the server stops. Never throws.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        string reason;
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token))
            {
                handshake.CancelAfter(_settings.HandshakeTimeout);
                try
                {
                    if (!await HandshakeAsync(handshake.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    _log.Line($"client {Id} {Peer}: dropped: no handshake within {_settings.HandshakeTimeout.TotalSeconds:0} s");
                    return;
                }
            }

            Ready = true;
            _log.Line($"client {Id} {Peer}: connected ({_version}, {_securityName})");
            Task reading = ReadLoopAsync(cancel.Token);
            Task sending = SendLoopAsync(cancel.Token);
            Task first = await Task.WhenAny(reading, sending).ConfigureAwait(false);
            cancel.Cancel();
            reason = await Reason(first).ConfigureAwait(false);
            await Task.WhenAll(reading.ContinueWith(_ => { }, TaskScheduler.Default), sending.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                reason = "server stopping";
            }

            _log.Line($"client {Id} {Peer}: disconnected: {reason} ({Stats.BytesSent} bytes in {Stats.Updates} updates)");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or
            System.Security.Authentication.AuthenticationException or InvalidDataException or System.Net.Sockets.SocketException)
        {
            _log.Line($"client {Id} {Peer}: closed during the handshake: {Describe(e)}");
        }
    }

    private static async Task<string> Reason(Task first)
    {
        try
        {
            await first.ConfigureAwait(false);
            return "closed";
        }
        catch (Exception e)
        {
            return Describe(e);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        EndOfStreamException => "the client closed the connection",
        IOException { InnerException: System.Net.Sockets.SocketException s } => s.Message,
        _ => e.Message,
    };

    private async Task ReadLoopAsync(CancellationToken cancel)
    {
        while (true)
        {
            byte type = await _reader.ReadByteAsync(cancel).ConfigureAwait(false);
            switch (type)
            {
                case SetPixelFormatMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(19, cancel).ConfigureAwait(false);
                        var format = RfbPixelFormat.Read(m.Span[3..]);
                        if (format.Check() is string problem)
                        {
                            throw new InvalidDataException($"SetPixelFormat asked for {problem}");
                        }

                        lock (_state)
                        {
                            _format = format;
                            _fullRequested = true;
                        }

                        break;
                    }

                case SetEncodingsMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(3, cancel).ConfigureAwait(false);
                        int count = BinaryPrimitives.ReadUInt16BigEndian(m.Span[1..]);
                        var list = new List<int>(Math.Min(count, 64));
                        for (int i = 0; i < count; i++)
                        {
                            ReadOnlyMemory<byte> e = await _reader.ReadAsync(4, cancel).ConfigureAwait(false);
                            if (list.Count < 256)
                            {
                                list.Add(BinaryPrimitives.ReadInt32BigEndian(e.Span));
                            }
                        }

                        lock (_state)
                        {
                            bool hadContinuous = _clientEncodings.Contains(RfbEncoding.ContinuousUpdates);
                            _clientEncodings = [.. list];
                            _encodingsChanged = true;
                            _endContinuousPending |= !hadContinuous && list.Contains(RfbEncoding.ContinuousUpdates);
                        }

                        break;
                    }

                case UpdateRequestMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(9, cancel).ConfigureAwait(false);
                        lock (_state)
                        {
                            _updateRequested = true;
                            _fullRequested |= m.Span[0] == 0;
                        }

                        Stats.Requests++;
                        break;
                    }

                case KeyEventMessage:
                    await _reader.ReadAsync(7, cancel).ConfigureAwait(false);
                    continue;

                case PointerEventMessage:
                    await _reader.ReadAsync(5, cancel).ConfigureAwait(false);
                    continue;

                case CutTextMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(7, cancel).ConfigureAwait(false);
                        int length = BinaryPrimitives.ReadInt32BigEndian(m.Span[3..]);
                        if (length < 0 || length > MaxCutText)
                        {
                            throw new InvalidDataException($"ClientCutText of {length} bytes (at most {MaxCutText} are read)");
                        }

                        await _reader.SkipAsync(length, cancel).ConfigureAwait(false);
                        continue;
                    }

                case EnableContinuousUpdatesMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(9, cancel).ConfigureAwait(false);
                        lock (_state)
                        {
                            bool enable = m.Span[0] != 0;
                            _endContinuousPending |= _continuous && !enable;
                            _continuous = enable;
                            _fullRequested |= enable;
                        }

                        break;
                    }

                case FenceMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(8, cancel).ConfigureAwait(false);
                        uint flags = BinaryPrimitives.ReadUInt32BigEndian(m.Span[3..]);
                        int length = m.Span[7];
                        if (length > 64)
                        {
                            throw new InvalidDataException($"Fence with a {length}-byte payload (at most 64)");
                        }

                        ReadOnlyMemory<byte> payload = await _reader.ReadAsync(length, cancel).ConfigureAwait(false);
                        if ((flags & FenceRequest) != 0)
                        {
                            // Updates leave in order on one stream, so every block and sync flag is already honoured.
                            byte[] reply = new byte[9 + length];
                            reply[0] = FenceMessage;
                            BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(4), flags & (FenceBlockBefore | FenceBlockAfter | FenceSyncNext));
                            reply[8] = (byte)length;
                            payload.Span.CopyTo(reply.AsSpan(9));
                            lock (_state)
                            {
                                _fenceReply = reply;
                            }

                            break;
                        }

                        continue;
                    }

                case SetDesktopSizeMessage:
                    {
                        ReadOnlyMemory<byte> m = await _reader.ReadAsync(7, cancel).ConfigureAwait(false);
                        await _reader.SkipAsync(m.Span[5] * 16L, cancel).ConfigureAwait(false);
                        lock (_state)
                        {
                            _resizeRefusalPending = true;
                        }

                        break;
                    }

                default:
                    throw new InvalidDataException($"unknown message type {type}");
            }

            Notify();
        }
    }

    private const uint FenceBlockBefore = 1u << 0;
    private const uint FenceBlockAfter = 1u << 1;
    private const uint FenceSyncNext = 1u << 2;
    private const uint FenceRequest = 1u << 31;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!ReferenceEquals(_stream, _transport))
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }

            await _transport.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Closing a broken connection.
        }

        foreach (IRfbEncoder encoder in _encoders)
        {
            (encoder as IDisposable)?.Dispose();
        }

        _wake.Dispose();
    }
}

/// <summary>What a session sent, for the status output; written by its send loop only.</summary>
internal sealed class SessionStats
{
    public long BytesSent;
    public long Updates;
    public long LastUpdateBytes;
    public long Requests;
    public string Encoding = "raw";
}
