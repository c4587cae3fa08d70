// gtk-vnc's gvnccapture (Debian package gvncviewer) run against a server on 127.0.0.1: it
// connects, asks for one full update and saves the framebuffer as PNG once the rectangle that
// ends at the bottom-right corner has arrived.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal static partial class GvncCapture
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    public static string Require() => Requires.Program("gvnccapture", "gvncviewer");

    /// <summary>
    /// Captures the server at 127.0.0.1:<paramref name="port"/> into <paramref name="png"/> and
    /// returns gvnccapture's exit code (0 when it saved the picture) and what it printed.
    /// gvnccapture takes a display number (port 5900 + N) and nothing else for the address. It
    /// reads a password only from a terminal: it turns echo off with tcsetattr on standard input
    /// and gives up when that fails. So with <paramref name="password"/> it runs under
    /// util-linux's `script`, which gives it a pseudo-terminal, and the password is typed once
    /// its "Password:" prompt has appeared (typed earlier, the TCSAFLUSH that turns echo off
    /// would discard it). <paramref name="caCertPem"/> is the CA it is to trust for a TLS server;
    /// see <see cref="TrustOnly"/>.
    /// </summary>
    public static (int ExitCode, string Output) Run(int port, string png, string? password = null, string? caCertPem = null)
    {
        string gvnccapture = Require();
        Assert.True(port > 5900, $"gvnccapture can only reach ports above 5900 (display numbers); the server listens on {port}");
        string display = "127.0.0.1:" + (port - 5900).ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?> { ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null };
        if (caCertPem is not null)
        {
            TrustOnly(caCertPem, Path.Combine(Path.GetDirectoryName(png)!, "gvnc-home"), environment);
        }

        if (password is null)
        {
            using ChildProcess plain = ChildProcess.Start("gvnccapture", gvnccapture, ["--debug", display, png], environment);
            int code = plain.WaitForExit(s_timeout);
            return (code, plain.Output + plain.Errors);
        }

        string script = Requires.Program("script", "bsdutils");
        string command = Quote(gvnccapture) + " --debug " + Quote(display) + " " + Quote(png);
        using ChildProcess withTerminal = ChildProcess.Start("gvnccapture (under script)", script, ["--quiet", "--return", "--flush", "--command", command, "/dev/null"], environment, standardInput: true);
        withTerminal.WaitForText(t => t.Contains("Password:", StringComparison.Ordinal), s_timeout, "gvnccapture's password prompt");
        withTerminal.StandardInput.Write(password + "\n");
        withTerminal.StandardInput.Flush();
        int exit = withTerminal.WaitForExit(s_timeout);
        return (exit, withTerminal.Output + withTerminal.Errors);
    }

    /// <summary>Runs <see cref="Run"/>, requires a saved PNG, and returns it decoded with gvnccapture's debug log.</summary>
    public static (RgbaImage Image, string Log) Capture(int port, string png, string? password = null, string? caCertPem = null)
    {
        var clock = Stopwatch.StartNew();
        (int code, string output) = Run(port, png, password, caCertPem);
        Assert.True(code == 0 && File.Exists(png), $"gvnccapture exit {code} after {clock.ElapsedMilliseconds} ms, {(File.Exists(png) ? "PNG written" : "no PNG")}: {Tail(output)}");
        return (ReplayScenes.Decode(png), output);
    }

    /// <summary>The end of a long debug log, for a failure message.</summary>
    public static string Tail(string output) => output.Length <= 4000 ? output : "..." + output[^4000..];

    /// <summary>
    /// Makes gtk-vnc trust <paramref name="caCertPem"/>. It reads the CA certificate from
    /// /etc/pki/CA/cacert.pem or ~/.pki/CA/cacert.pem, else it uses the system's trust store, and
    /// it finds ~ through getpwuid, not $HOME. So the test gives it a home of its own with the CA
    /// in it through nss_wrapper (Debian package libnss-wrapper), which answers getpwuid from a
    /// passwd file named in the environment, without touching the machine's /etc or root's home.
    /// </summary>
    private static void TrustOnly(string caCertPem, string home, Dictionary<string, string?> environment)
    {
        const string NssWrapper = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so";
        Requires.That(File.Exists(NssWrapper), NssWrapper + " (Debian package libnss-wrapper)");
        string caDir = Path.Combine(home, ".pki", "CA");
        Directory.CreateDirectory(caDir);
        File.Copy(caCertPem, Path.Combine(caDir, "cacert.pem"), overwrite: true);

        uint uid = getuid(), gid = getgid();
        string passwd = Path.Combine(home, "passwd"), group = Path.Combine(home, "group");
        File.WriteAllText(passwd, FormattableString.Invariant($"vgpuviewtest:x:{uid}:{gid}:test:{home}:/bin/sh\n"));
        File.WriteAllText(group, FormattableString.Invariant($"vgpuviewtest:x:{gid}:\n"));
        environment["LD_PRELOAD"] = NssWrapper;
        environment["NSS_WRAPPER_PASSWD"] = passwd;
        environment["NSS_WRAPPER_GROUP"] = group;
        environment["HOME"] = home;
    }

    // DllImport, not LibraryImport: the generated stubs need unsafe code, which the test project does not enable.
    [DllImport("libc")]
    private static extern uint getuid();

    [DllImport("libc")]
    private static extern uint getgid();

    /// <summary>
    /// The encoding of every rectangle gtk-vnc received, from its --debug log
    /// ("FramebufferUpdate type=N area ..."), pseudo-encodings included.
    /// </summary>
    public static IReadOnlyList<int> RectangleEncodings(string output) =>
        [.. RectangleLine().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    /// <summary>The desktop sizes gtk-vnc was told of after ServerInit, from its --debug log ("Desktop resize w=W h=H").</summary>
    public static IReadOnlyList<(int Width, int Height)> DesktopResizes(string output) =>
        [.. ResizeLine().Matches(output).Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"FramebufferUpdate type=(-?\d+) area")]
    private static partial Regex RectangleLine();

    [GeneratedRegex(@"Desktop resize w=(\d+) h=(\d+)")]
    private static partial Regex ResizeLine();

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
