using System.Diagnostics;
using System.Runtime.InteropServices;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Tests.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests;

/// <summary>
/// A private X server (Xvfb, 1280x800x24, no window manager, so a new window sits at 0,0) and the
/// X tools the window tests drive it with: xdotool to find windows and press keys, ImageMagick's
/// import to screenshot the screen. Each test gets its own display number.
/// </summary>
internal sealed class XSession : IDisposable
{
    public const int ScreenWidth = 1280;
    public const int ScreenHeight = 800;

    private static readonly object s_startLock = new();

    private readonly Process _xvfb;
    private readonly Task<string> _serverErrors;

    private XSession(Process xvfb, Task<string> serverErrors, int display)
    {
        _xvfb = xvfb;
        _serverErrors = serverErrors;
        Display = ":" + display;
    }

    /// <summary>":N", the value of DISPLAY.</summary>
    public string Display { get; }

    /// <summary>Skips (fails under CI) unless Xvfb, libglfw3, xdotool and ImageMagick are installed (tests/setup.d/50-xvfb.sh).</summary>
    public static void RequireTools()
    {
        Requires.That(File.Exists("/usr/bin/Xvfb"), "Xvfb (Debian package xvfb)");
        Requires.That(NativeLibrary.TryLoad("libglfw.so.3", out nint glfw), "libglfw.so.3 (Debian package libglfw3)");
        NativeLibrary.Free(glfw);
        Requires.That(File.Exists("/usr/bin/xdotool"), "xdotool (Debian package xdotool)");
        Requires.That(File.Exists("/usr/bin/import"), "ImageMagick's import (Debian package imagemagick)");
        ImageMagick.Require();
    }

    public static XSession Start()
    {
        RequireTools();

        // -displayfd: Xvfb picks a free display number itself and writes it to that fd (here its
        // standard output) once it accepts connections, so parallel runs never collide.
        // -noreset: by default the server resets (frees everything, recompiles its keymap) each
        // time its last client disconnects, and a client that connects during the reset can be
        // refused: XOpenDisplay fails with no message. A test's clients come and go (xdotool polls
        // for the window while vgpuview is still starting), so without it `view` sometimes could
        // not open a display the server had just reported.
        var start = new ProcessStartInfo("/usr/bin/Xvfb") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])["-displayfd", "1", "-noreset", "-screen", "0", $"{ScreenWidth}x{ScreenHeight}x24", "-nolisten", "tcp"])
        {
            start.ArgumentList.Add(a);
        }

        // One server starts at a time: with -displayfd, Xvfb chooses its number by creating the
        // listening socket first and taking the lock file after, so two servers starting at once
        // can both settle on the same number, and one's clients then find no server there.
        Process xvfb;
        Task<string> errors;
        Task<string?> line;
        bool reported;
        lock (s_startLock)
        {
            xvfb = Process.Start(start)!;
            errors = xvfb.StandardError.ReadToEndAsync();
            line = xvfb.StandardOutput.ReadLineAsync();
            reported = line.Wait(TimeSpan.FromSeconds(20));
        }

        if (!reported || !int.TryParse(line.Result, out int display))
        {
            if (!xvfb.HasExited)
            {
                xvfb.Kill();
            }

            xvfb.WaitForExit();
            string why = errors.Wait(TimeSpan.FromSeconds(2)) ? errors.Result : string.Empty;
            xvfb.Dispose();
            throw new InvalidOperationException("Xvfb did not report its display: " + why);
        }

        var session = new XSession(xvfb, errors, display);
        try
        {
            session.WaitUntilServing(TimeSpan.FromSeconds(20));
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return session;
    }

    /// <summary>What the server has said about itself, for failure messages: whether it still runs, and its standard error once it has exited.</summary>
    public string ServerState => _xvfb.HasExited
        ? $"Xvfb on {Display} exited with {_xvfb.ExitCode}: " + (_serverErrors.Wait(TimeSpan.FromSeconds(2)) ? _serverErrors.Result.Trim() : "(no output)")
        : $"Xvfb on {Display} is running";

    // The display number is reported once the server listens; a client that then connects must
    // be served. Proving it here, before a test starts vgpuview, separates "the server never came
    // up" from "vgpuview could not open the display", which is the test's business.
    private void WaitUntilServing(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            (int code, string output) = TryRun("/usr/bin/xdotool", "getdisplaygeometry");
            if (code == 0 && output.Trim() == $"{ScreenWidth} {ScreenHeight}")
            {
                return;
            }

            if (_xvfb.HasExited || clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"Xvfb reported display {Display} but does not serve it (xdotool getdisplaygeometry: {code}, {output.Trim()}); {ServerState}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>The screen as RGBA rows, ScreenWidth wide, screenshot with ImageMagick's import.</summary>
    public byte[] Screenshot()
    {
        string file = Path.Combine(Path.GetTempPath(), $"vgpuview-xshot-{Environment.ProcessId}-{Guid.NewGuid():N}.png");
        try
        {
            Run("/usr/bin/import", "-window", "root", file);
            return ImageMagick.DecodeRgba(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The id of the first window whose name starts with "vgpuview", waiting up to <paramref name="timeout"/> while <paramref name="view"/> runs.</summary>
    public string WaitForWindow(ViewProcess view, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            (int code, string output) = TryRun("/usr/bin/xdotool", "search", "--name", "^vgpuview");
            if (code == 0 && output.Trim().Length > 0)
            {
                return output.Trim().Split('\n')[0];
            }

            Assert.False(view.HasExited, $"vgpuview view exited before its window appeared on {Display}: {view.Errors} ({ServerState})");
            Assert.True(clock.Elapsed < timeout, $"no vgpuview window appeared on {Display} in {timeout.TotalSeconds} s; stderr so far: {view.Errors} ({ServerState})");
            Thread.Sleep(50);
        }
    }

    public string WindowName(string window) => Run("/usr/bin/xdotool", "getwindowname", window).Trim();

    /// <summary>Presses and releases <paramref name="key"/> (an X keysym name) in <paramref name="window"/>.</summary>
    public void Key(string window, string key) => Run("/usr/bin/xdotool", "key", "--window", window, key);

    /// <summary>
    /// Presses <paramref name="key"/> (a quit key) in <paramref name="window"/>. The window may
    /// close on the press, before xdotool sends the release, which then fails with BadWindow: the
    /// key did its work, and the caller checks how the process exited.
    /// </summary>
    public void QuitKey(string window, string key)
    {
        (int code, string output) = TryRun("/usr/bin/xdotool", "key", "--window", window, key);
        Assert.True(code == 0 || output.Contains("BadWindow", StringComparison.Ordinal), $"xdotool key --window {window} {key} failed ({code}): {output}");
    }

    public string Run(string program, params string[] args)
    {
        (int code, string output) = TryRun(program, args);
        Assert.True(code == 0, $"{program} {string.Join(' ', args)} failed ({code}): {output}");
        return output;
    }

    private (int Code, string Output) TryRun(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DISPLAY"] = Display;
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        Task<string> error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + error.Result);
    }

    public void Dispose()
    {
        // SIGTERM, not Process.Kill's SIGKILL: Xvfb then removes its /tmp/.X<n>-lock and socket.
        // Killed servers leave stale locks behind, and two servers reclaiming the same stale
        // lock at once can end up reporting the same display number.
        if (!_xvfb.HasExited)
        {
            TryRun("/bin/kill", "-TERM", _xvfb.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!_xvfb.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _xvfb.Kill();
                _xvfb.WaitForExit();
            }
        }

        _xvfb.Dispose();
    }
}
