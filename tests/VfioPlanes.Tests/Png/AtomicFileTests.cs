using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Entries() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Write_CreatesTheFile_LeavesNothingElse()
    {
        string path = Path.Combine(_dir, "shot.png");
        AtomicFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["shot.png"], Entries());
    }

    [Fact]
    public void Write_ReplacesAnExistingFile()
    {
        string path = Path.Combine(_dir, "shot.png");
        File.WriteAllText(path, "old contents, longer than the new");
        AtomicFile.Write(path, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["shot.png"], Entries());
    }

    [Fact]
    public void CallbackThrows_TargetUntouched_TempRemoved()
    {
        string path = Path.Combine(_dir, "shot.png");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(path, s =>
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
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
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
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => called = true));
        Assert.Contains(path, e.Message);
        Assert.False(called);
        Assert.Empty(Entries());
    }

    [Fact]
    public void UnwritableDirectory_IsAnIOExceptionNamingThePath()
    {
        // chmod does not stop root; /proc takes no new files from anyone.
        const string path = "/proc/vgpuview-capture.png";
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s => s.Write("x"u8)));
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void PathNamingADirectory_IsRejected()
    {
        Assert.Throws<IOException>(() => AtomicFile.Write(_dir + "/", s => s.Write("x"u8)));

        // An existing directory as the target: the rename fails, the directory and temp file are cleaned up.
        string sub = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(sub);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(sub, s => s.Write("x"u8)));
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

        AtomicFile.Write(path, bytes.AsSpan(1, bytes.Length - 2));

        Assert.Equal(bytes[1..^1], File.ReadAllBytes(path));
        Assert.Equal(["plane.raw"], Entries());
    }

    [Fact]
    public void WriteSpan_ToADirectory_FailsNamingThePath_AndLeavesNothing()
    {
        string sub = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(sub);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(sub, "x"u8));
        Assert.Contains(sub, e.Message);
        Assert.Equal(["sub"], Entries());
        Assert.Empty(Directory.GetFileSystemEntries(sub));
    }
}
