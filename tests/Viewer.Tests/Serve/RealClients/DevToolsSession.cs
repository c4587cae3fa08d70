// A minimal client of Chromium's DevTools protocol over its WebSocket: commands with ids and
// their replies, the page's console and exceptions kept for failure messages, every wait bounded.
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed class DevToolsSession : IDisposable
{
    private const int MaxLogLines = 200;

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task? _reader;
    private int _nextId;

    /// <summary>What the page logged (console, uncaught exceptions), newest last.</summary>
    public string Log => string.Join('\n', _log);

    public static async Task<DevToolsSession> ConnectAsync(Uri browserEndpoint, TimeSpan timeout)
    {
        var session = new DevToolsSession();
        session._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var cts = new CancellationTokenSource(timeout);
        await session._socket.ConnectAsync(browserEndpoint, cts.Token);
        session._reader = Task.Run(session.ReadLoopAsync);
        return session;
    }

    /// <summary>Sends <paramref name="method"/> (to the page attached as <paramref name="sessionId"/>, or to the browser) and returns its result; fails on a protocol error or after <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters, string? sessionId, TimeSpan timeout)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        using var cts = new CancellationTokenSource(timeout);
        await _sendLock.WaitAsync(cts.Token);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        }
        finally
        {
            _sendLock.Release();
        }

        Task done = await Task.WhenAny(reply.Task, Task.Delay(timeout));
        _pending.TryRemove(id, out _);
        Assert.True(done == reply.Task, $"DevTools {method}: no reply in {timeout.TotalSeconds} s; page log: {Log}");
        JsonObject answer = await reply.Task;
        if (answer["error"] is JsonNode error)
        {
            Assert.Fail($"DevTools {method}: {error.ToJsonString()}");
        }

        return answer["result"]?.AsObject() ?? new JsonObject();
    }

    /// <summary>Runtime.evaluate of <paramref name="expression"/> in the page, awaiting a promise, the value returned as JSON; fails on an exception in the page.</summary>
    public async Task<JsonNode?> EvaluateAsync(string sessionId, string expression, TimeSpan timeout)
    {
        JsonObject result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        }, sessionId, timeout);
        if (result["exceptionDetails"] is JsonNode exception)
        {
            Assert.Fail($"the page threw evaluating {expression[..Math.Min(80, expression.Length)]}...: {exception.ToJsonString()}; page log: {Log}");
        }

        return result["result"]?["value"];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Abort();
        try
        {
            _reader?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The read loop ends with the aborted socket.
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }

                Dispatch(JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!.AsObject());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The browser went away or the session is being disposed.
        }
        finally
        {
            foreach (TaskCompletionSource<JsonObject> waiting in _pending.Values)
            {
                waiting.TrySetResult(new JsonObject { ["error"] = "the DevTools connection closed" });
            }
        }
    }

    private void Dispatch(JsonObject message)
    {
        if (message["id"] is JsonNode id && _pending.TryGetValue(id.GetValue<int>(), out TaskCompletionSource<JsonObject>? reply))
        {
            reply.TrySetResult(message);
            return;
        }

        string? method = (string?)message["method"];
        JsonNode? p = message["params"];
        string? line = method switch
        {
            "Runtime.consoleAPICalled" => "console." + (string?)p?["type"] + ": " + string.Join(' ', (p?["args"]?.AsArray() ?? []).Select(a => a?["value"]?.ToJsonString() ?? a?["description"]?.ToString())),
            "Runtime.exceptionThrown" => "exception: " + ((string?)p?["exceptionDetails"]?["exception"]?["description"] ?? (string?)p?["exceptionDetails"]?["text"]),
            "Log.entryAdded" => "log: " + (string?)p?["entry"]?["text"],
            _ => null,
        };
        if (line is not null)
        {
            _log.Enqueue(line);
            while (_log.Count > MaxLogLines && _log.TryDequeue(out _))
            {
            }
        }
    }
}
