using System.Diagnostics;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests.Cli;

/// <summary>
/// A full disk (ENOSPC) on a 16 KiB tmpfs mounted for the test, three of its four pages taken by a
/// filler file so that one page (4 KiB) is left: every writer fails with exit 1,
/// names the file that was asked for (never the temporary one), and leaves nothing behind, however
/// often it is tried. Mounting needs root, which CI runs as.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-enospc-").FullName;
    private readonly string _mount;
    private bool _mounted;

    public FullDiskTests()
    {
        _mount = Directory.CreateDirectory(Path.Combine(_dir, "full")).FullName;
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _mount);
        }

        Directory.Delete(_dir, recursive: true);
    }

    private void Mount()
    {
        Requires.That(Environment.UserName == "root", "root, to mount a small tmpfs");
        Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", _mount);
        _mounted = true;

        // The sim's screens compress to a few KiB, so the free room is made smaller than any of
        // them but the 320x200 PNG of the --raw case (about 2 KiB), whose raw file must not fit.
        Run("dd", "if=/dev/zero", $"of={Path.Combine(_mount, "filler")}", "bs=4096", "count=3", "status=none");
    }

    public static TheoryData<string[], string> Writers => new()
    {
        { ["capture", "sim", "-o", "{m}/x.png"], "{m}/x.png" },
        // The first try writes the PNG and fails on the raw file; later ones find the page taken by
        // that PNG and fail on the PNG: either is the file asked for.
        { ["capture", "sim:320x200", "-o", "{m}/y.png", "--raw"], "{m}/y." },
        { ["capture", "sim", "-o", "{m}/c{n}.png", "--count", "3", "--interval", "0"], "{m}/c" },
    };

    [Theory]
    [MemberData(nameof(Writers))]
    public void AFullDisk_FailsNamingTheFileAskedFor_AndLeavesNothing(string[] args, string named)
    {
        Mount();
        string[] expanded = [.. args.Select(a => a.Replace("{m}", _mount, StringComparison.Ordinal))];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var cli = new CliRunner();

            Assert.Equal(ExitCodes.DeviceFailure, cli.Run(expanded));

            string error = cli.Error.ToString();
            Assert.StartsWith($"vgpuview: cannot write '{named.Replace("{m}", _mount, StringComparison.Ordinal)}", error);
            Assert.Contains("No space left on device (ENOSPC)", error);
            Assert.DoesNotContain(".tmp", error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }

        // The PNG of --raw may fit; no temporary file stays, however often it was tried.
        Assert.Empty(Directory.GetFiles(_mount, ".*"));
    }

    [Fact]
    public void ExpectSaveClosest_OnAFullDisk_SaysSo_AndStillExits3()
    {
        Mount();
        string needle = Path.Combine(_dir, "n.png");
        byte[] red = [255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255];
        VfioPlanes.Png.OutputFile.Write(needle, s => new VfioPlanes.Png.PngWriter().Write(s, red, 2, 2, 8, new VfioPlanes.Png.PngOptions()));
        string save = Path.Combine(_mount, "closest.png");
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.NotMatched, cli.Run("expect", "sim", needle, "--at", "500,500", "--timeout", "0.2", "--interval", "10", "--save-closest", save));

        Assert.Contains($"vgpuview: the closest screen was not saved: cannot write '{save}': No space left on device (ENOSPC)", cli.Error.ToString());
        Assert.Equal([Path.Combine(_mount, "filler")], Directory.GetFileSystemEntries(_mount));
    }

    private static void Run(string program, params string[] args)
    {
        using Process p = Process.Start(Requires.Program(program, program == "dd" ? "coreutils" : "mount"), args)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} failed");
    }
}
