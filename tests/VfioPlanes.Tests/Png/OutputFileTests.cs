using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

public sealed class OutputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] EntriesOf(string dir) => Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order().ToArray()!;

    private string[] Entries() => EntriesOf(_dir);

    [Fact]
    public void Write_CreatesTheFile_LeavesNothingElse()
    {
        string path = Path.Combine(_dir, "shot.png");
        OutputFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["shot.png"], Entries());
    }

    [Fact]
    public void Write_ReplacesAnExistingFile()
    {
        string path = Path.Combine(_dir, "shot.png");
        File.WriteAllText(path, "old contents, longer than the new");
        OutputFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["shot.png"], Entries());
    }

    [Fact]
    public void CallbackThrows_TargetUntouched_TempRemoved()
    {
        string path = Path.Combine(_dir, "shot.png");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InvalidDataException>(() => OutputFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidDataException("device went away mid-frame");
        }));
        Assert.Equal("device went away mid-frame", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["shot.png"], Entries());
    }

    [Fact]
    public void CallbackThrows_NoTargetBefore_NoFileAfter()
    {
        string path = Path.Combine(_dir, "shot.png");
        Assert.Throws<InvalidOperationException>(() => OutputFile.Write(path, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(Entries());
    }

    [Fact]
    public void MissingDirectory_IsAnIOExceptionNamingThePath()
    {
        string path = Path.Combine(_dir, "no-such-dir", "shot.png");
        bool called = false;
        var e = Assert.Throws<IOException>(() => OutputFile.Write(path, _ => called = true));
        Assert.Contains(path, e.Message);
        Assert.False(called);
        Assert.Empty(Entries());
    }

    [Fact]
    public void UnwritableDirectory_IsAnIOExceptionNamingThePath()
    {
        // chmod does not stop root; /proc takes no new files from anyone.
        const string path = "/proc/vgpuview-capture.png";
        var e = Assert.Throws<IOException>(() => OutputFile.Write(path, s => s.Write("x"u8)));
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void PathNamingADirectory_IsRejected()
    {
        Assert.Throws<IOException>(() => OutputFile.Write(_dir + "/", s => s.Write("x"u8)));

        // An existing directory as the target: the rename fails, the directory and temp file are cleaned up.
        string sub = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(sub);
        var e = Assert.Throws<IOException>(() => OutputFile.Write(sub, s => s.Write("x"u8)));
        Assert.Contains(sub, e.Message);
        Assert.Equal(["sub"], Entries());
        Assert.True(Directory.Exists(sub));
    }

    [Fact]
    public void WriteSpan_ReplacesTheFileWithExactlyTheBytes()
    {
        string path = Path.Combine(_dir, "plane.raw");
        File.WriteAllText(path, "old contents, longer than the new");
        byte[] bytes = new byte[200_000];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) ^ (i >> 9));
        }

        OutputFile.Write(path, bytes.AsSpan(1, bytes.Length - 2));

        Assert.Equal(bytes[1..^1], File.ReadAllBytes(path));
        Assert.Equal(["plane.raw"], Entries());
    }

    [Fact]
    public void WriteSpan_ToADirectory_FailsNamingThePath_AndLeavesNothing()
    {
        string sub = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(sub);
        var e = Assert.Throws<IOException>(() => OutputFile.Write(sub, "x"u8));
        Assert.Contains(sub, e.Message);
        Assert.Equal(["sub"], Entries());
        Assert.Empty(Directory.GetFileSystemEntries(sub));
    }

    [Fact]
    public void Write_ToAFifo_WritesIntoItAndLeavesTheFifo()
    {
        string fifo = Path.Combine(_dir, "pipe.png");
        Tool.Run("mkfifo", fifo);
        byte[] bytes = Pattern(300_000); // more than a pipe buffer: the reader must be draining it

        byte[] read = Fifo.ReadWhile(fifo, () => OutputFile.Write(fifo, s => s.Write(bytes)));

        Assert.Equal(bytes, read);
        Assert.Equal("fifo", Kind(fifo));
        Assert.Equal(["pipe.png"], Entries());
    }

    [Fact]
    public void WriteSpan_ToAFifo_WritesIntoItAndLeavesTheFifo()
    {
        string fifo = Path.Combine(_dir, "plane.raw");
        Tool.Run("mkfifo", fifo);
        byte[] bytes = Pattern(100_000);

        byte[] read = Fifo.ReadWhile(fifo, () => OutputFile.Write(fifo, bytes));

        Assert.Equal(bytes, read);
        Assert.Equal("fifo", Kind(fifo));
        Assert.Equal(["plane.raw"], Entries());
    }

    [Fact]
    public void Write_ThroughASymlink_ReplacesTheFileItPointsTo_AndKeepsTheLink()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_dir, "sub")).FullName;
        string target = Path.Combine(sub, "target.png");
        File.WriteAllText(target, "old contents, longer than the new");
        string link = Path.Combine(_dir, "link.png");
        File.CreateSymbolicLink(link, "sub/target.png");

        OutputFile.Write(link, s => s.Write("new"u8));

        Assert.Equal("symbolic link", Kind(link));
        Assert.Equal("sub/target.png", new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["link.png", "sub"], Entries());
        Assert.Equal(["target.png"], EntriesOf(sub));
    }

    [Fact]
    public void Write_ThroughAChainOfSymlinks_EndingNowhere_CreatesTheFinalFile()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_dir, "sub")).FullName;
        string first = Path.Combine(_dir, "first.png");
        string second = Path.Combine(sub, "second.png");
        File.CreateSymbolicLink(first, second);
        File.CreateSymbolicLink(second, "made.png"); // relative to sub; does not exist yet

        OutputFile.Write(first, "new"u8);

        Assert.Equal("symbolic link", Kind(first));
        Assert.Equal("symbolic link", Kind(second));
        Assert.Equal("new", File.ReadAllText(Path.Combine(sub, "made.png")));
        Assert.Equal(["made.png", "second.png"], EntriesOf(sub));
    }

    [Fact]
    public void Write_ToTheNullDevice_LeavesACharacterDevice()
    {
        string device = CharacterDevice("null", minor: 3);

        OutputFile.Write(device, s => s.Write(Pattern(70_000)));
        OutputFile.Write(device, Pattern(10));

        Assert.Equal("character special file", Kind(device));
    }

    [Fact]
    public void Write_ToAFullDevice_FailsNamingThePath_AndLeavesTheDevice()
    {
        string device = CharacterDevice("full", minor: 7);

        var e = Assert.Throws<IOException>(() => OutputFile.Write(device, Pattern(70_000)));

        Assert.Contains(device, e.Message);
        Assert.Equal("character special file", Kind(device));
    }

    private static byte[] Pattern(int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 31) ^ (i >> 9));
        }

        return bytes;
    }

    /// <summary>
    /// The memory character device 1:<paramref name="minor"/> (3 null, 7 full). As root, a node of
    /// our own in the test directory, so a writer that renamed over it would not replace the
    /// machine's /dev node; otherwise the one in /dev, which an unprivileged rename cannot replace.
    /// </summary>
    private string CharacterDevice(string name, int minor)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "/dev/" + name;
        }

        string node = Path.Combine(_dir, name);
        Tool.Run("mknod", node, "c", "1", minor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return node;
    }

    /// <summary>The file type as coreutils' stat names it, of the link itself when the path is one.</summary>
    private static string Kind(string path) => Tool.Run("stat", "-c", "%F", path).Trim();
}
