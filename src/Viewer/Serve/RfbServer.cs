// Accepts RFB clients on its listeners and runs a session for each, within the client limit.
using System.Net;
using System.Net.Sockets;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// The set of live sessions, the accept loops, and the client limit. A connection over the
/// limit is closed at once with a log line, so thousands of connections cost a moment each.
/// The frame loop's publication wakes every session; none of them is waited for.
/// </summary>
internal sealed class RfbServer
{
    private readonly ServeSettings _settings;
    private readonly FrameLoop _loop;
    private readonly ServeLog _log;
    private readonly int _maxClients;
    private readonly Lock _gate = new();
    private readonly List<RfbSession> _sessions = [];
    private readonly List<Task> _running = [];
    private int _nextId;
    private long _refused;

    public RfbServer(ServeSettings settings, FrameLoop loop, ServeLog log, int maxClients)
    {
        _settings = settings;
        _loop = loop;
        _log = log;
        _maxClients = maxClients;
        loop.Published += NotifyAll;
    }

    public IReadOnlyList<RfbSession> Sessions
    {
        get
        {
            lock (_gate)
            {
                return [.. _sessions];
            }
        }
    }

    public long Refused => Interlocked.Read(ref _refused);

    public void NotifyAll()
    {
        foreach (RfbSession session in Sessions)
        {
            session.Notify();
        }
    }

    /// <summary>Accepts connections on <paramref name="listener"/> until <paramref name="stop"/>.</summary>
    public async Task AcceptLoopAsync(Socket listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of fds (EMFILE) or a connection reset before it was accepted: the loop goes on.
                _log.Line($"accept failed: {e.Message}");
                await Task.Delay(e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset ? 0 : 100, stop).ConfigureAwait(false);
                continue;
            }

            string peer = client.RemoteEndPoint switch
            {
                IPEndPoint ip => ip.ToString(),
                UnixDomainSocketEndPoint => "unix",
                var other => other?.ToString() ?? "?",
            };
            if (client.AddressFamily != AddressFamily.Unix)
            {
                client.NoDelay = true;
            }

            _ = Serve(new NetworkStream(client, ownsSocket: true), peer, stop);
        }
    }

    /// <summary>
    /// Runs a session on an accepted stream (a socket, or a WebSocket); the task ends with it.
    /// Over a transport that is already TLS (wss) the session offers no VeNCrypt: noVNC cannot
    /// start TLS inside a WebSocket, and the connection is encrypted anyway.
    /// </summary>
    public Task Serve(Stream stream, string peer, CancellationToken stop, bool encryptedTransport = false)
    {
        RfbSession session;
        lock (_gate)
        {
            int id = ++_nextId;
            if (_sessions.Count >= _maxClients)
            {
                Interlocked.Increment(ref _refused);
                _log.Line($"client {id} {peer}: refused: {_maxClients} clients already (--max-clients)");
                stream.Dispose();
                return Task.CompletedTask;
            }

            session = new RfbSession(stream, peer, id, encryptedTransport ? _settings with { Certificate = null } : _settings, _loop, _log);
            _sessions.Add(session);
        }

        Task task = Task.Run(async () =>
        {
            try
            {
                await session.RunAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _log.Line($"client {session.Id} {peer}: internal error: {e}");
            }
            finally
            {
                lock (_gate)
                {
                    _sessions.Remove(session);
                }

                await session.DisposeAsync().ConfigureAwait(false);
            }
        }, CancellationToken.None);
        lock (_gate)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }

        return task;
    }

    /// <summary>Waits (boundedly) for every session to end after the stop was signalled.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAny(Task.WhenAll(running), Task.Delay(limit)).ConfigureAwait(false);
    }
}
