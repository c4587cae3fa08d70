// The `serve` command's options and wiring.
using System.CommandLine;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Cli;

internal static partial class ViewerCommandLine
{
    private static readonly Option<string> s_listen = new("--listen")
    {
        Description = "Where RFB clients connect: ADDR:PORT (port 0: any free port) or unix:PATH (default 127.0.0.1:5900)",
        DefaultValueFactory = _ => "127.0.0.1:5900",
    };

    private static readonly Option<string?> s_web = new("--web")
    {
        Description = "Also serve RFB over WebSocket and noVNC's pages (Debian package novnc) on ADDR:PORT",
    };

    private static readonly Option<string?> s_encodings = new("--encodings")
    {
        Description = "The encodings the server may use, comma-separated: raw, copyrect, hextile, tight, zrle (default all); the client's order decides among them",
    };

    private static readonly Option<string?> s_passwordFile = new("--password-file")
    {
        Description = "Require VNC authentication with the password on this file's first line (or set VGPUVIEW_VNC_PASSWORD)",
    };

    private static readonly Option<string?> s_tlsCert = new("--tls-cert")
    {
        Description = "PEM certificate for TLS (VeNCrypt for RFB clients, https/wss for --web); needs --tls-key",
    };

    private static readonly Option<string?> s_tlsKey = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert",
    };

    private static readonly Option<bool> s_insecure = new("--insecure")
    {
        Description = "Allow listening beyond loopback without a password",
    };

    private static readonly Option<int> s_maxClients = new("--max-clients")
    {
        Description = "Clients served at once; more are refused (default 16)",
        DefaultValueFactory = _ => 16,
    };

    private static Command ServeCommand(CommandContext context)
    {
        var command = new Command(
            "serve",
            "Serve the guest's screen to VNC clients (RFB 3.3-3.8, view-only) and, with --web, to browsers through noVNC. " +
            "Runs until SIGINT or SIGTERM (exit 0); exit 1 when the device goes away")
        {
            s_device, s_listen, s_web, s_encodings, s_passwordFile, s_tlsCert, s_tlsKey, s_insecure, s_maxClients, s_json, s_interval, s_cacheSize,
        };
        command.SetAction(parse => new ServeHandler(context).Run(new ServeOptions
        {
            Device = parse.GetValue(s_device)!,
            Listen = parse.GetValue(s_listen)!,
            Web = parse.GetValue(s_web),
            Encodings = parse.GetValue(s_encodings),
            PasswordFile = PathValue(parse.GetValue(s_passwordFile), "--password-file"),
            TlsCert = PathValue(parse.GetValue(s_tlsCert), "--tls-cert"),
            TlsKey = PathValue(parse.GetValue(s_tlsKey), "--tls-key"),
            Insecure = parse.GetValue(s_insecure),
            MaxClients = CheckRange(parse.GetValue(s_maxClients), 1, 4096, "--max-clients"),
            Json = parse.GetValue(s_json),
            IntervalMs = CheckRange(parse.GetValue(s_interval), 1, 60_000, "--interval"),
            CacheSize = CheckRange(parse.GetValue(s_cacheSize), 2, 256, "--cache-size"),
        }));
        return command;
    }
}
