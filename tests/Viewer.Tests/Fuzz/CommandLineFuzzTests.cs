using System.Text;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Fuzz;

/// <summary>
/// 1,000 command lines made by seeded mutations of valid ones (values replaced by hostile text,
/// tokens dropped, doubled or swapped, unknown options), run in process through the same entry
/// point as the program (`info` is left out: it probes the GL renderer on every run, which costs
/// far more than parsing; its device specs and files are tried by the other fuzz suites); then a sample of hostile inputs of every kind through the real program,
/// whose peak memory is measured. Every run must end with a documented exit code, standard error
/// lines that are one-line messages (never a stack trace or an internal error), and no file left
/// behind but the captures asked for.
/// </summary>
public sealed class CommandLineFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 77_2026;
    private const int Count = 1000;

    private static readonly int[] s_documented = [ExitCodes.Success, ExitCodes.DeviceFailure, ExitCodes.Usage, ExitCodes.NotMatched, ExitCodes.Interrupted];

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-fuzz-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[][] s_templates =
    [
        ["watch", "sim:320x200", "--frames", "3", "--interval", "0"],
        ["watch", "sim:mdpy,320x200", "--json", "--frames", "2", "--interval", "1", "--cache-size", "4"],
        ["capture", "sim:320x200", "-o", "{out}/c{n}.png", "--count", "2", "--interval", "0", "--level", "1", "--filter", "up"],
        ["capture", "sim:gvt,320x200", "-o", "{out}/g.png", "--raw", "--no-cursor"],
        ["capture", "sim:mbochs,320x200", "-o", "{out}/m.png", "--wait-enabled", "1"],
        ["expect", "sim:320x200", "{needle}", "--timeout", "0.1", "--interval", "10", "--at", "0,0", "--tolerance", "3"],
        ["expect", "sim:320x200", "{needle}", "--timeout", "0.1", "--interval", "10", "--area", "0,0,4,4", "--save-closest", "{out}/closest.png"],
        ["edid", "sim:320x200", "--mode", "800x600@60"],
        ["edid", "sim", "--blob", "{blob}", "--json"],
        ["edid", "sim", "--link", "down"],
        ["watch", "sim:replay={replay}", "--frames", "1"],
        ["list", "--json"],
        ["view", "sim", "--scale", "nope"],
    ];

    private static readonly string[] s_hostile =
    [
        "", "-", "--", "abc", "-1", "0", "1", "99999999999", "2147483647", "-2147483648", "1e9", "NaN", "Infinity", "0x10", "1,2", "1,2,3,4,5",
        "\n", "a\nb", "\u0000", "\ud800", "\u001b[2J", "é", "😀", new string('z', 5000), "/", "/dev/null", "/dev/zero", "/dev/full",
        "/proc/self/mem", "/sys", "{fifo}", "{out}", "{out}/", "{out}/x/y.png", "sim:", "sim:1x1", "sim:replay=", "fd:1", "--help", "-h", "--version",
        "--json", "--frames", "--no-such-option", "up", "paeth", "ADAPTIVE", "fit", "1:1", "down", "9", "10", "86401", "0.5", "-0.5",
    ];

    [Fact]
    public void MutatedCommandLines_EndWithADocumentedCodeAndCleanMessages()
    {
        string needle = WriteNeedle();
        string blob = Path.Combine(_dir, "edid.bin");
        File.WriteAllBytes(blob, EdidSamples.Dmt1024x768());
        string replay = WriteReplay();
        string fifo = Path.Combine(_dir, "fifo");
        Fifo.Make(fifo);
        string outDir = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        string[] fixedFiles = Listing(_dir);

        var random = new Random(Seed);
        var tally = new FuzzTally("command line", output, _dir) { AllocationLimit = 256L << 20, TimeLimit = TimeSpan.FromSeconds(10) };
        for (int i = 0; i < Count; i++)
        {
            string[] args = Mutate(random, [.. s_templates[random.Next(s_templates.Length)]])
                .Select(a => a.Replace("{out}", outDir, StringComparison.Ordinal).Replace("{needle}", needle, StringComparison.Ordinal)
                    .Replace("{blob}", blob, StringComparison.Ordinal).Replace("{replay}", replay, StringComparison.Ordinal)
                    .Replace("{fifo}", fifo, StringComparison.Ordinal))
                .ToArray();

            // A command that would run on (watch without --frames, a FIFO that no one writes to)
            // is ended as Ctrl-C ends it.
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var cli = new CliRunner(cancellation: stop.Token);
            string shown = string.Join(' ', args.Select(a => a.Length > 60 ? a[..60] + "…" : a));
            int code = 0;
            tally.Try(shown, () => (code = cli.Run(args)) == ExitCodes.Success);
            Assert.True(s_documented.Contains(code), $"exit {code} for {shown}: {cli.Error}");
            foreach (string line in cli.Error.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                FuzzTally.AssertOneLine(line, shown);
                Assert.True(line.StartsWith("vgpuview: ", StringComparison.Ordinal) || line.StartsWith("Run 'vgpuview", StringComparison.Ordinal) || line.StartsWith("\rcaptured", StringComparison.Ordinal),
                    $"a line on standard error that is not a message, for {shown}: {line}");
            }

            // Only what was asked for: no hidden temporary file stays, in the output directory or elsewhere.
            Assert.Empty(Directory.EnumerateFiles(outDir, ".*", SearchOption.AllDirectories));
            foreach (string f in Directory.EnumerateFileSystemEntries(outDir))
            {
                if (Directory.Exists(f))
                {
                    Directory.Delete(f, recursive: true);
                }
                else
                {
                    File.Delete(f);
                }
            }

            Assert.Equal(fixedFiles, Listing(_dir));
        }

        tally.Report();
    }

    /// <summary>A sample of hostile inputs of each kind through the real program: exit code, message, memory and time.</summary>
    [Fact]
    public void HostileInputs_ThroughTheProgram_EndCleanly_InBoundedMemory()
    {
        string d = _dir;
        File.WriteAllText(Path.Combine(d, "nul.json"), """{"planes":[{"plane":"primary","file":"a\u0000b","format":"XR24","width":4,"height":2,"stride":16}]}""");
        File.WriteAllText(Path.Combine(d, "surrogate.json"), """{"planes":[{"plane":"\ud800","file":"a.raw","format":"XR24","width":4,"height":2,"stride":16}]}""");
        File.WriteAllText(Path.Combine(d, "key.json"), """{"\udfff":1}""");
        File.WriteAllText(Path.Combine(d, "deep.json"), new string('[', 100000) + new string(']', 100000));
        File.WriteAllText(Path.Combine(d, "zero.json"), """{"planes":[{"plane":"primary","file":"/dev/zero","format":"XR24","width":1024,"height":768,"stride":4096}]}""");
        File.WriteAllBytes(Path.Combine(d, "bad.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
        File.WriteAllBytes(Path.Combine(d, "edid.bin"), new byte[129]);
        Fifo.Make(Path.Combine(d, "fifo"));
        (string Kind, string[] Args, int Code)[] runs =
        [
            ("replay JSON", ["info", $"sim:replay={d}/nul.json"], ExitCodes.Usage),
            ("replay JSON", ["info", $"sim:replay={d}/surrogate.json"], ExitCodes.Usage),
            ("replay JSON", ["info", $"sim:replay={d}/key.json"], ExitCodes.Usage),
            ("replay JSON", ["info", $"sim:replay={d}/deep.json"], ExitCodes.Usage),
            ("replay JSON", ["info", "sim:replay=/dev/zero"], ExitCodes.Usage),
            ("replay JSON", ["capture", $"sim:replay={d}/zero.json", "-o", $"{d}/z.png"], ExitCodes.Success),
            ("PNG needle", ["expect", "sim", "/dev/zero", "--timeout", "1"], ExitCodes.Usage),
            ("PNG needle", ["expect", "sim", $"{d}/bad.png", "--timeout", "1"], ExitCodes.Usage),
            ("PNG needle", ["expect", "sim", $"{d}/fifo", "--timeout", "0.5"], ExitCodes.Usage),
            ("PNG needle", ["expect", "sim", d, "--timeout", "1"], ExitCodes.Usage),
            ("EDID blob", ["edid", "sim", "--blob", "/dev/zero"], ExitCodes.Usage),
            ("EDID blob", ["edid", "sim", "--blob", $"{d}/edid.bin"], ExitCodes.Usage),
            ("EDID blob", ["edid", "sim", "--blob", "/proc/self/status"], ExitCodes.Usage),
            ("device spec", ["info", "sim:99999999999x1"], ExitCodes.Usage),
            ("device spec", ["info", "sim:a\u001b[2Jb"], ExitCodes.Usage),
            ("device spec", ["info", "fd:99999999999"], ExitCodes.Usage),
            ("device spec", ["info", "/sys/../etc/passwd"], ExitCodes.Usage),
            ("command line", ["watch", "sim", "--frames", "abc"], ExitCodes.Usage),
            ("command line", ["capture", "sim", "-o", $"{d}/x.png", "--level", "1e9"], ExitCodes.Usage),
            ("command line", ["expect", "sim", $"{d}/bad.png", "--timeout", "NaN"], ExitCodes.Usage),
            ("command line", ["capture", "sim", "-o", "/dev/full"], ExitCodes.DeviceFailure),
            ("command line", ["expect", "sim", $"{d}/bad.png", "--save-closest", "/dev/loop-control"], ExitCodes.Usage),
        ];

        var tallies = new Dictionary<string, FuzzTally>();
        long peak = 0;
        foreach ((string kind, string[] args, int code) in runs)
        {
            FuzzTally tally = tallies.TryGetValue(kind, out FuzzTally? t) ? t : tallies[kind] = new FuzzTally(kind + " (CLI)", output, _dir) { TimeLimit = TimeSpan.FromSeconds(30) };
            ProcessResult r = VgpuviewProcess.Run(args, TimeSpan.FromSeconds(30));
            string shown = string.Join(' ', args);
            Assert.True(r.ExitCode == code, $"{shown}: exit {r.ExitCode}, expected {code}: {r.Error}");
            foreach (string line in r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                FuzzTally.AssertOneLine(line, shown);
            }

            Assert.True(code == ExitCodes.Success || r.Error.StartsWith("vgpuview: ", StringComparison.Ordinal), $"{shown}: no message: {r.Error}");
            // The runtime and a 1024x768 frame take about 100 MiB; nothing may take more than twice that.
            Assert.True(r.PeakRssBytes < 400L << 20, $"{shown}: peak RSS {r.PeakRssBytes >> 20} MiB");
            peak = Math.Max(peak, r.PeakRssBytes);
            tally.Count(shown, code == ExitCodes.Success, r.Elapsed, 0);
        }

        Assert.Empty(Directory.EnumerateFiles(d, ".*"));
        foreach (FuzzTally t in tallies.Values)
        {
            t.Report();
        }

        output.WriteLine($"fuzz CLI sample: peak RSS of any run {peak >> 20} MiB");
    }

    private static string[] Mutate(Random random, List<string> args)
    {
        int edits = random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = args.Count > 1 ? 1 + random.Next(args.Count - 1) : 0;
            switch (random.Next(6))
            {
                case 0:
                case 1:
                case 2:
                    if (at < args.Count)
                    {
                        args[at] = s_hostile[random.Next(s_hostile.Length)];
                    }

                    break;
                case 3:
                    if (at < args.Count)
                    {
                        args.RemoveAt(at);
                    }

                    break;
                case 4:
                    args.Insert(Math.Min(at, args.Count), args[random.Next(args.Count)]);
                    break;
                default:
                    args.Insert(Math.Min(at, args.Count), s_hostile[random.Next(s_hostile.Length)]);
                    break;
            }
        }

        // Long runs are interrupted, not left to their course: keep the loops short.
        return [.. args];
    }

    private static string[] Listing(string dir) => [.. Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal)];

    private string WriteNeedle()
    {
        string path = Path.Combine(_dir, "needle.png");
        byte[] rgba = new byte[8 * 8 * 4];
        Array.Fill(rgba, (byte)255);
        VfioPlanes.Png.OutputFile.Write(path, s => new VfioPlanes.Png.PngWriter().Write(s, rgba, 8, 8, 32, new VfioPlanes.Png.PngOptions()));
        return path;
    }

    private string WriteReplay()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a.raw"), new byte[32]);
        string path = Path.Combine(_dir, "r.json");
        File.WriteAllText(path, """{"planes":[{"plane":"primary","file":"a.raw","format":"XR24","width":4,"height":2,"stride":16}]}""", new UTF8Encoding(false));
        return path;
    }
}
