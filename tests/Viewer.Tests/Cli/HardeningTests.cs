using System.Diagnostics;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests.Cli;

/// <summary>
/// Each class of fault ends cleanly in the real program: FIFOs with no writer or reader end on
/// SIGTERM and SIGINT with 130, a signal during a long capture leaves no file and exits 130, a
/// pipe whose reader left ends the program with 141, a closed standard output or error is no
/// crash, and a number given as text is refused in words.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-harden-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> FifoUses => new()
    {
        { "replay", "TERM" }, { "replay", "INT" },
        { "needle", "TERM" }, { "needle", "INT" },
        { "blob", "TERM" }, { "blob", "INT" },
        { "output", "TERM" }, { "output", "INT" },
    };

    [Theory]
    [MemberData(nameof(FifoUses))]
    public void AFifoWithNoOtherEnd_EndsOnASignal_With130(string use, string signal)
    {
        string fifo = Path.Combine(_dir, "fifo");
        Fifo.Make(fifo);
        string[] args = use switch
        {
            "replay" => ["info", "sim:replay=" + fifo],
            "needle" => ["expect", "sim", fifo, "--timeout", "600"],
            "blob" => ["edid", "sim", "--blob", fifo],
            _ => ["capture", "sim", "-o", fifo],
        };

        TimeSpan sent = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        ProcessResult r = VgpuviewProcess.Shell($"exec \"$V\" {string.Join(' ', args.Select(a => $"'{a}'"))}", s_timeout, p =>
        {
            // Once it waits on the FIFO (or, writing, has the device open and waits for a
            // reader), the handlers are in place: a signal before that would meet the default
            // action, which a SIGINT's 130 could not tell apart.
            WaitUntilHolds(p.Id, use == "output" ? "memfd:sim-device" : fifo);
            sent = clock.Elapsed;
            VgpuviewProcess.Signal(p.Id, signal);
        });

        Assert.True(r.ExitCode == ExitCodes.Interrupted, $"{use} FIFO, SIG{signal}: exit {r.ExitCode}: {r.Error}");
        // A read ends by the cancellation, well within the 3 s after which the process is made to
        // exit. The writer may still be composing its first frame when the signal comes (the
        // device is what the test can see open), so it gets the grace period as its bound.
        TimeSpan bound = TimeSpan.FromSeconds(use == "output" ? 5 : 2.5);
        Assert.True(r.Elapsed - sent < bound, $"took {(r.Elapsed - sent).TotalSeconds:F1} s after SIG{signal}");
        Assert.Equal(string.Empty, r.Error);
        Assert.Equal(["fifo"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    // Waits until the process has a file open whose link names <paramref name="target"/>.
    private static void WaitUntilHolds(int pid, string target)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_timeout)
        {
            try
            {
                foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget?.Contains(target, StringComparison.Ordinal) == true)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A descriptor closed while it was looked at.
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"the process never opened {target}");
    }

    [Fact]
    public void AWriteThatBlocks_OnAReaderThatNeverReads_EndsWithinTheGrace_With130()
    {
        // sleep holds the FIFO open for reading and never reads: once the pipe's 64 KiB are
        // full, write(2) blocks where no cancellation can reach it, and the grace period ends it.
        string fifo = Path.Combine(_dir, "slow");
        Fifo.Make(fifo);
        TimeSpan sent = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        ProcessResult r = VgpuviewProcess.Shell($"sleep 15 < '{fifo}' >/dev/null 2>&1 & exec \"$V\" capture sim:1920x1080 -o '{fifo}' --level 0", s_timeout, p =>
        {
            WaitUntilHolds(p.Id, fifo);
            Thread.Sleep(500);
            sent = clock.Elapsed;
            VgpuviewProcess.Signal(p.Id, "TERM");
        });

        Assert.True(r.ExitCode == ExitCodes.Interrupted, $"exit {r.ExitCode}: {r.Error}");
        TimeSpan after = r.Elapsed - sent;
        Assert.True(after > TimeSpan.FromSeconds(2) && after < TimeSpan.FromSeconds(8), $"ended {after.TotalSeconds:F1} s after SIGTERM; the grace is 3 s");
    }

    [Fact]
    public void ExpectTimeout_CoversANeedleFifoWithNoWriter()
    {
        string fifo = Path.Combine(_dir, "needle.png");
        Fifo.Make(fifo);

        ProcessResult r = VgpuviewProcess.Run(["expect", "sim", fifo, "--timeout", "1"], s_timeout);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Equal($"vgpuview: needle '{fifo}': nothing came to read in 1 s (a FIFO that no program writes to?)\n", r.Error);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(20), $"took {r.Elapsed}");
    }

    [Fact]
    public void SigtermDuringALongCapture_Exits130_AndLeavesNoFile()
    {
        string png = Path.Combine(_dir, "big.png");
        TimeSpan sent = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        ProcessResult r = VgpuviewProcess.Shell($"exec \"$V\" capture sim:gvt,8192x8192,tiling=y -o '{png}' --level 9 --filter adaptive", s_timeout, p =>
        {
            WaitUntilHolds(p.Id, "memfd:sim-device");
            Thread.Sleep(500);
            sent = clock.Elapsed;
            VgpuviewProcess.Signal(p.Id, "TERM");
        });

        Assert.True(r.ExitCode == ExitCodes.Interrupted, $"exit {r.ExitCode}: {r.Error}");
        Assert.True(r.Elapsed - sent < TimeSpan.FromSeconds(4), $"took {(r.Elapsed - sent).TotalSeconds:F1} s after SIGTERM");
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Watch_IntoAPipeWhoseReaderLeft_Exits141()
    {
        // --interval 0: a watch that spins as fast as it can must still notice.
        ProcessResult r = VgpuviewProcess.Shell("\"$V\" watch sim --json --interval 0 | head -1 >/dev/null; exit ${PIPESTATUS[0]}", s_timeout);

        Assert.True(r.ExitCode == ExitCodes.BrokenPipe, $"exit {r.ExitCode}: {r.Error}");
        Assert.Equal(string.Empty, r.Error);
    }

    [Fact]
    public void Watch_OfAQuietGuest_IntoAPipeWhoseReaderLeft_Exits141()
    {
        // mdpy's mode never changes: after the first line nothing is written, and the watch
        // still ends once the reader has gone.
        ProcessResult r = VgpuviewProcess.Shell("\"$V\" watch sim:mdpy --interval 30 | head -1 >/dev/null; exit ${PIPESTATUS[0]}", s_timeout);

        Assert.True(r.ExitCode == ExitCodes.BrokenPipe, $"exit {r.ExitCode}: {r.Error}");
    }

    [Fact]
    public void CaptureToStdout_CutOffByTheReader_Exits141()
    {
        // A PNG larger than a pipe's 64 KiB buffer: level 0 stores 1920x1080 RGBA uncompressed.
        ProcessResult r = VgpuviewProcess.Shell("\"$V\" capture sim:1920x1080 -o - --level 0 | head -c 100 >/dev/null; exit ${PIPESTATUS[0]}", s_timeout);

        Assert.True(r.ExitCode == ExitCodes.BrokenPipe, $"exit {r.ExitCode}: {r.Error}");
        Assert.Equal(string.Empty, r.Error);
    }

    [Fact]
    public void ClosedStandardOutput_WritesTheCapture_ThenSaysStandardOutputIsClosed()
    {
        string png = Path.Combine(_dir, "x.png");

        ProcessResult r = VgpuviewProcess.Shell($"\"$V\" capture sim -o '{png}' >&-", s_timeout);

        Assert.Equal(ExitCodes.DeviceFailure, r.ExitCode);
        Assert.Equal("vgpuview: cannot write to standard output: it is closed (EBADF)\n", r.Error);
        Assert.Equal(1024, VfioPlanes.Png.PngReader.ReadFile(png).Width);
        Assert.Equal(["x.png"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("info nosuch-device 2>&-", ExitCodes.Usage)]
    [InlineData("info nosuch-device >&- 2>&-", ExitCodes.Usage)]
    [InlineData("watch sim --frames abc 2>&-", ExitCodes.Usage)]
    [InlineData("info sim:replay=/nonexistent.json 2>&-", ExitCodes.Usage)]
    [InlineData("watch sim --frames 2 --interval 0 >/dev/null 2>&-", ExitCodes.Success)]
    [InlineData("list >&- 2>&-", ExitCodes.DeviceFailure)]
    public void ClosedStandardError_NeverAborts_TheExitCodeIsTheCommands(string command, int code)
    {
        ProcessResult r = VgpuviewProcess.Shell($"\"$V\" {command}", s_timeout);

        Assert.True(r.ExitCode == code, $"{command}: exit {r.ExitCode}, expected {code}: {r.Error}");
    }

    [Theory]
    [InlineData("--frames", "abc", "--frames takes a whole number, not 'abc'")]
    [InlineData("--frames", "99999999999", "--frames takes a whole number from -2147483648 to 2147483647, not 99999999999")]
    [InlineData("--interval", "1.5", "--interval takes a whole number, not '1.5'")]
    [InlineData("--cache-size", "", "--cache-size takes a whole number, not ''")]
    public void ANumberGivenAsText_IsRefusedInWords(string option, string value, string message)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("watch", "sim", option, value));

        Assert.StartsWith($"vgpuview: {message}\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.DoesNotContain("System.", cli.Error.ToString());
    }

    [Theory]
    [InlineData("--timeout", "soon", "--timeout takes a number of seconds such as 30 or 0.5, not 'soon'")]
    [InlineData("--timeout", "NaN", "--timeout takes a number of seconds such as 30 or 0.5, not 'NaN'")]
    [InlineData("--tolerance", "x", "--tolerance takes a whole number, not 'x'")]
    public void ExpectNumbers_AreRefusedInWords(string option, string value, string message)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("expect", "sim", "n.png", option, value));

        Assert.StartsWith($"vgpuview: {message}\n", cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ACursorThePlaneCheckRefuses_IsNamedByCapture_NotDroppedSilently()
    {
        File.WriteAllBytes(Path.Combine(_dir, "p.raw"), new byte[32]);
        File.WriteAllBytes(Path.Combine(_dir, "c.raw"), new byte[2400 * 10]);
        string json = Path.Combine(_dir, "planes.json");
        File.WriteAllText(json, """
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"XR24","width":4,"height":2,"stride":16},
              {"plane":"cursor","file":"c.raw","format":"AR24","width":600,"height":10,"stride":2400}]}
            """);
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("capture", "sim:replay=" + json, "-o", Path.Combine(_dir, "x.png")));

        Assert.Equal($"vgpuview: sim:replay={json}: cursor plane: cursor 600x10 is larger than 512 px; captured without the cursor\n", cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void SaveClosestOnABlockDevice_IsRefusedBeforeTheWait()
    {
        Requires.That(Environment.UserName == "root", "root, to make a block device node with mknod");
        string block = Path.Combine(_dir, "blk");
        using (Process mknod = Process.Start(Requires.Program("mknod", "coreutils"), [block, "b", "7", "200"])!)
        {
            mknod.WaitForExit();
            Assert.Equal(0, mknod.ExitCode);
        }

        string needle = Path.Combine(_dir, "n.png");
        VfioPlanes.Png.OutputFile.Write(needle, s => new VfioPlanes.Png.PngWriter().Write(s, new byte[16], 2, 2, 8, new VfioPlanes.Png.PngOptions()));
        var cli = new CliRunner();
        var clock = Stopwatch.StartNew();

        Assert.Equal(ExitCodes.Usage, cli.Run("expect", "sim", needle, "--timeout", "30", "--save-closest", block));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the path was checked after the wait");
        Assert.Equal($"vgpuview: --save-closest: cannot write '{block}': it is a block device; give a regular file, a FIFO or a character device\n", cli.Error.ToString().ReplaceLineEndings("\n"));
    }
}
