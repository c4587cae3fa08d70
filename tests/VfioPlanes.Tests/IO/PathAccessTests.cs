using VgpuView.VfioPlanes.IO;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.IO;

// access(2) grants root every read and write, so these ask what even root is refused: to
// search a file no one may execute, or anything of a path that is not there.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PathAccessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-access-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Allows_ADirectoryWeMade_ToBeWrittenAndSearched()
    {
        Assert.True(PathAccess.Allows(_dir, PathRights.Read | PathRights.Write | PathRights.Search, out int errno));
        Assert.Equal(0, errno);
    }

    [Fact]
    public void Refuses_SearchingAFileWithNoExecuteBit_WithEacces()
    {
        string file = Path.Combine(_dir, "plain");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.True(PathAccess.Allows(file, PathRights.Read | PathRights.Write, out _));
        Assert.False(PathAccess.Allows(file, PathRights.Write | PathRights.Search, out int errno));
        Assert.Equal(Errno.EACCES, errno);
    }

    [Fact]
    public void Refuses_AMissingPath_WithEnoent_AndAFileUsedAsADirectory_WithEnotdir()
    {
        Assert.False(PathAccess.Allows(Path.Combine(_dir, "missing"), PathRights.Read, out int errno));
        Assert.Equal(Errno.ENOENT, errno);

        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "x");
        Assert.False(PathAccess.Allows(Path.Combine(file, "below"), PathRights.Write, out errno));
        Assert.Equal(Errno.ENOTDIR, errno);
    }

    [Fact]
    public void Rights_AreTheModesOfAccess()
    {
        Assert.Equal(4, (int)PathRights.Read);
        Assert.Equal(2, (int)PathRights.Write);
        Assert.Equal(1, (int)PathRights.Search);
    }
}
