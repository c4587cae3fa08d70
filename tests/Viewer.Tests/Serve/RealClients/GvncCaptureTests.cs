// gtk-vnc's gvnccapture against `vgpuview serve` of a replayed frame: its PNG equals `capture` of
// the same frame with each encoding it can take, with a VNC password, over VeNCrypt TLS, and
// after a mode change.
using System.Globalization;
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

public sealed class GvncCaptureTests(ReplayScenes scenes) : IClassFixture<ReplayScenes>, IDisposable
{
    private const string Password = "pw4Gvnc!"; // VNC authentication uses 8 characters at most
    private const int RfbRaw = 0;
    private const int RfbHextile = 5;
    private const int RfbTight = 7;
    private const int RfbZrle = 16;
    private const int RfbDesktopSize = -223;

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-gvnc-").FullName;

    /// <summary>
    /// gtk-vnc 1.3's gvnccapture declares DesktopSize, ZRLE, Hextile, RRE, CopyRect and Raw. With
    /// the server limited to one encoding, every rectangle it receives (its own debug log says
    /// which) has that encoding, and the picture it decoded is `capture`'s, cursor composed in,
    /// since it does not take the Cursor pseudo-encoding. It declares no Tight: limited to Tight,
    /// the server falls back to Raw, which every client takes, and the picture is still exact.
    /// </summary>
    [Theory]
    [InlineData("raw", RfbRaw)]
    [InlineData("hextile", RfbHextile)]
    [InlineData("zrle", RfbZrle)]
    [InlineData("tight", RfbRaw)]
    public void Capture_EachEncoding_EqualsCaptureOfTheSameFrame(string encoding, int received)
    {
        GvncCapture.Require();
        RgbaImage expected = scenes.Expected(scenes.SceneA);
        using var serve = ServeProcess.Start("sim:replay=" + scenes.SceneA, ["--encodings", encoding]);

        (RgbaImage actual, string log) = GvncCapture.Capture(serve.RfbPort, Path.Combine(_dir, encoding + ".png"));

        ReplayScenes.AssertSameRgb(expected, actual, $"gvnccapture with --encodings {encoding}");
        IReadOnlyList<int> rects = GvncCapture.RectangleEncodings(log);
        Assert.NotEmpty(rects);
        Assert.All(rects.Where(e => e >= 0), e => Assert.Equal(received, e));
        Assert.NotEqual(RfbTight, received);
        serve.StopAndCheckExit();
    }

    /// <summary>VNC authentication (security type 2), the password from --password-file: the right one gives the picture, a wrong one nothing.</summary>
    [Fact]
    public void Capture_WithPassword_EqualsCaptureAndAWrongPasswordIsRefused()
    {
        GvncCapture.Require();
        RgbaImage expected = scenes.Expected(scenes.SceneA);
        string passwordFile = WritePasswordFile();
        using var serve = ServeProcess.Start("sim:replay=" + scenes.SceneA, ["--password-file", passwordFile]);

        (int code, string output) = GvncCapture.Run(serve.RfbPort, Path.Combine(_dir, "wrong.png"), password: "notit");
        Assert.True(code != 0, "gvnccapture with a wrong password exited 0: " + GvncCapture.Tail(output));
        Assert.False(File.Exists(Path.Combine(_dir, "wrong.png")));

        (RgbaImage actual, _) = GvncCapture.Capture(serve.RfbPort, Path.Combine(_dir, "password.png"), password: Password);
        ReplayScenes.AssertSameRgb(expected, actual, "gvnccapture with the password");
        Assert.Contains("authentication failed", serve.Errors, StringComparison.Ordinal);
        serve.StopAndCheckExit();
    }

    /// <summary>
    /// VeNCrypt (security type 19) with the certificate of a CA the client trusts: X509None
    /// without a password, X509Vnc with one. gtk-vnc checks the chain and that the certificate
    /// names 127.0.0.1, so the picture only comes through a TLS session it verified.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Capture_OverVeNCryptTls_EqualsCapture(bool withPassword)
    {
        GvncCapture.Require();
        RgbaImage expected = scenes.Expected(scenes.SceneA);
        TestCertificates certs = TestCertificates.Create(_dir);
        List<string> args = ["--tls-cert", certs.ServerCertPem, "--tls-key", certs.ServerKeyPem, "--encodings", "zrle"];
        if (withPassword)
        {
            args.AddRange(["--password-file", WritePasswordFile()]);
        }

        using var serve = ServeProcess.Start("sim:replay=" + scenes.SceneA, args);

        (RgbaImage actual, string log) = GvncCapture.Capture(serve.RfbPort, Path.Combine(_dir, "tls.png"), withPassword ? Password : null, certs.CaCertPem);

        ReplayScenes.AssertSameRgb(expected, actual, $"gvnccapture over VeNCrypt {(withPassword ? "X509Vnc" : "X509None")}");
        Assert.Contains("Completed TLS setup, do subauth " + (withPassword ? "261" : "260"), log, StringComparison.Ordinal);
        serve.StopAndCheckExit();
    }

    /// <summary>
    /// A guest that changes mode between the client's ServerInit and its first update: the
    /// replay alternates scene A (1024x768) and scene B (640x480) every frame, so a capture now and
    /// then starts in one mode and is answered in the other. The server must then send a
    /// DesktopSize rectangle, which gtk-vnc logs as "Desktop resize", and the picture after it
    /// must be exactly the new mode's. Tried until that happened (each try is a fraction of a
    /// second); every try's picture must equal one of the two scenes.
    /// </summary>
    [Fact]
    public void Capture_ModeChangeDuringTheSession_ArrivesAsDesktopSize()
    {
        GvncCapture.Require();
        RgbaImage a = scenes.Expected(scenes.SceneA), b = scenes.Expected(scenes.SceneB);
        using var serve = ServeProcess.Start("sim:replay=" + scenes.Alternating, ["--interval", "10", "--encodings", "zrle"]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 0; clock.Elapsed < TimeSpan.FromSeconds(20); attempt++)
        {
            string png = Path.Combine(_dir, "mode" + attempt.ToString(CultureInfo.InvariantCulture) + ".png");
            (RgbaImage actual, string log) = GvncCapture.Capture(serve.RfbPort, png);
            RgbaImage expected = actual.Width == a.Width ? a : b;
            ReplayScenes.AssertSameRgb(expected, actual, $"gvnccapture try {attempt}");
            IReadOnlyList<(int Width, int Height)> resizes = GvncCapture.DesktopResizes(log);
            if (resizes.Count > 0)
            {
                Assert.Equal((actual.Width, actual.Height), resizes[^1]);
                Assert.Contains(RfbDesktopSize, GvncCapture.RectangleEncodings(log));
                serve.StopAndCheckExit();
                return;
            }
        }

        Assert.Fail("in 20 s of captures while the mode alternated, no DesktopSize rectangle reached gvnccapture; server log: " + serve.Errors);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WritePasswordFile()
    {
        string file = Path.Combine(_dir, "password");
        File.WriteAllText(file, Password + "\n"); // in a folder only its owner can enter (CreateTempSubdirectory makes it 0700)
        return file;
    }
}
