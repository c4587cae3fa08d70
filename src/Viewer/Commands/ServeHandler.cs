// `vgpuview serve`: the guest's screen to VNC clients and browsers.
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Rfb;
using VgpuView.Viewer.Serve;

namespace VgpuView.Viewer.Commands;

/// <summary>What `vgpuview serve` was asked to do.</summary>
internal sealed record ServeOptions
{
    public required string Device { get; init; }

    public string Listen { get; init; } = "127.0.0.1:5900";

    public string? Web { get; init; }

    public string? Encodings { get; init; }

    public string? PasswordFile { get; init; }

    public string? TlsCert { get; init; }

    public string? TlsKey { get; init; }

    public bool Insecure { get; init; }

    public int MaxClients { get; init; } = 16;

    public bool Json { get; init; }

    public int IntervalMs { get; init; } = 30;

    public int CacheSize { get; init; } = 8;

    /// <summary>How often --json writes a status line.</summary>
    public int StatusIntervalMs { get; init; } = 2000;

    /// <summary>How long an update may take to leave before its client is dropped as stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a client has for the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// `vgpuview serve`: one device, one frame loop on its own thread, an RFB server on a TCP port
/// or unix socket (and over WebSocket with --web). Runs until SIGINT or SIGTERM (exit 0) or
/// until the device goes away (clients get a last frame saying so; exit 1).
/// </summary>
internal sealed class ServeHandler(CommandContext context)
{
    public const string PasswordVariable = "VGPUVIEW_VNC_PASSWORD";

    public int Run(ServeOptions options)
    {
        ListenAddress listen = ListenAddress.Parse(options.Listen, "--listen", allowUnix: true);
        ListenAddress? web = options.Web is null ? null : ListenAddress.Parse(options.Web, "--web", allowUnix: false);
        ServeSettings settings = Settings(options);
        foreach ((ListenAddress? address, string option) in new[] { (listen, "--listen"), (web, "--web") })
        {
            if (address is not null && !address.IsLocal && !options.Insecure && settings.PasswordKey is null)
            {
                throw new UsageException(
                    $"{option} {(option == "--web" ? options.Web : options.Listen)} is reachable from other machines and no password is set: " +
                    $"give --password-file (and --tls-cert/--tls-key), listen on 127.0.0.1 and use ssh -L, or add --insecure");
            }
        }

        var log = new ServeLog(context.Error);
        using VgpuDevice device = context.Opener.Open(options.Device);
        using var loop = new FrameLoop(device, options.CacheSize, log);
        if (!loop.Tick())
        {
            context.Error.WriteLine($"vgpuview: {loop.GoneMessage}");
            return ExitCodes.DeviceFailure;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        var server = new RfbServer(settings, loop, log, options.MaxClients);
        using Socket listener = listen.Open("--listen");
        WebFront? front = null;
        try
        {
            context.Output.WriteLine($"rfb {ListenAddress.Describe(listener, listen)}");
            if (web is not null)
            {
                front = WebFront.Start(web, settings.Certificate, server, log, stop.Token);
                context.Output.WriteLine($"web {front.Url}");
            }

            context.Output.Flush();
            Task accepting = server.AcceptLoopAsync(listener, stop.Token);
            int code = RunLoop(loop, server, options, stop.Token);
            stop.Cancel();
            listener.Close();
            server.DrainAsync(TimeSpan.FromSeconds(3)).GetAwaiter().GetResult();
            accepting.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(1));
            if (code == ExitCodes.DeviceFailure)
            {
                string message = loop.GoneMessage ?? device.Name;
                context.Error.WriteLine(message.Contains("device gone", StringComparison.Ordinal) ? $"vgpuview: {message}" : $"vgpuview: device gone: {message}");
            }

            return code;
        }
        finally
        {
            front?.Dispose();
            if (listen.UnixPath is not null)
            {
                File.Delete(listen.UnixPath);
            }
        }
    }

    // The frame loop on its own thread; this thread writes the status lines and waits.
    private int RunLoop(FrameLoop loop, RfbServer server, ServeOptions options, CancellationToken stop)
    {
        bool gone = false;
        var thread = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!loop.Tick())
                {
                    gone = true;
                    return;
                }

                stop.WaitHandle.WaitOne(options.IntervalMs);
            }
        })
        {
            Name = "serve frame loop",
            IsBackground = true,
        };
        thread.Start();
        var status = new StatusWriter(context.Output);
        var clock = Stopwatch.StartNew();
        while (thread.IsAlive)
        {
            if (thread.Join(options.Json ? options.StatusIntervalMs : 200) || stop.IsCancellationRequested)
            {
                break;
            }

            if (options.Json)
            {
                status.Write(server, loop, clock.Elapsed);
            }
        }

        thread.Join();
        if (!gone)
        {
            return ExitCodes.Success;
        }

        // The clients are sent the last frame (the message) before they are closed.
        long last = loop.CurrentVersion;
        var wait = Stopwatch.StartNew();
        while (wait.ElapsedMilliseconds < 2000 && server.Sessions.Any(s => s.Ready && s.SentVersion < last && s.WantsUpdates))
        {
            Thread.Sleep(20);
        }

        return ExitCodes.DeviceFailure;
    }

    private static ServeSettings Settings(ServeOptions options)
    {
        var encodings = new HashSet<int>();
        foreach (string name in (options.Encodings ?? "raw,copyrect,hextile,tight,zrle").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            encodings.Add(RfbEncoding.FromName(name) ?? throw new UsageException($"--encodings takes raw, copyrect, hextile, tight and zrle, not '{name}'"));
        }

        if (encodings.Count == 0)
        {
            throw new UsageException("--encodings needs at least one of raw, copyrect, hextile, tight, zrle");
        }

        string? password = null;
        if (options.PasswordFile is string file)
        {
            try
            {
                password = File.ReadAllLines(file).FirstOrDefault() ?? string.Empty;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--password-file {file}: {e.Message}");
            }
        }
        else if (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment)
        {
            password = fromEnvironment;
        }

        if (password is not null && VncAuth.Check(password) is string problem)
        {
            throw new UsageException($"{(options.PasswordFile is null ? PasswordVariable : "--password-file " + options.PasswordFile)}: {problem}");
        }

        X509Certificate2? certificate = null;
        if (options.TlsCert is not null || options.TlsKey is not null)
        {
            if (options.TlsCert is null || options.TlsKey is null)
            {
                throw new UsageException("--tls-cert and --tls-key go together");
            }

            try
            {
                certificate = X509Certificate2.CreateFromPemFile(options.TlsCert, options.TlsKey);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new UsageException($"--tls-cert {options.TlsCert} --tls-key {options.TlsKey}: {e.Message}");
            }
        }

        return new ServeSettings
        {
            PasswordKey = password is null ? null : VncAuth.Key(password),
            Certificate = certificate,
            Encodings = encodings,
            StallTimeout = options.StallTimeout,
            HandshakeTimeout = options.HandshakeTimeout,
        };
    }

    /// <summary>The --json status line: one object per line.</summary>
    private sealed class StatusWriter(TextWriter output)
    {
        private readonly Dictionary<int, long> _updates = [];
        private TimeSpan _last;

        public void Write(RfbServer server, FrameLoop loop, TimeSpan now)
        {
            double seconds = Math.Max(0.001, (now - _last).TotalSeconds);
            _last = now;
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("time", Math.Round(now.TotalSeconds, 3));
                json.WriteNumber("frame", loop.CurrentVersion);
                json.WriteNumber("refused", server.Refused);
                json.WriteStartArray("clients");
                var seen = new HashSet<int>();
                foreach (RfbSession s in server.Sessions)
                {
                    if (!s.Ready)
                    {
                        continue;
                    }

                    seen.Add(s.Id);
                    long updates = s.Stats.Updates;
                    long before = _updates.GetValueOrDefault(s.Id);
                    _updates[s.Id] = updates;
                    json.WriteStartObject();
                    json.WriteNumber("id", s.Id);
                    json.WriteString("peer", s.Peer);
                    json.WriteString("encoding", s.Stats.Encoding);
                    json.WriteNumber("bytes_sent", s.Stats.BytesSent);
                    json.WriteNumber("updates", updates);
                    json.WriteNumber("fps", Math.Round((updates - before) / seconds, 1));
                    json.WriteNumber("last_update_bytes", s.Stats.LastUpdateBytes);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                foreach (int id in _updates.Keys.Where(k => !seen.Contains(k)).ToList())
                {
                    _updates.Remove(id);
                }
            }

            try
            {
                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                output.Flush();
            }
            catch (IOException)
            {
                // Standard output closed: serving goes on.
            }
        }
    }
}
