using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Abi;

/// <summary>
/// What the wrappers over Tmds.LibC do that [LibraryImport] used to generate: keep a handle
/// alive for the call and keep the call's errno, and pass paths as NUL-terminated UTF-8.
/// </summary>
public sealed class MarshallingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-marshal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BorrowedFd_KeepsTheCallsErrno_WhenItsReleaseClosesTheFd()
    {
        SafeFdHandle memfd = Interop.Libc.MemfdCreate("borrowed", Interop.Libc.MFD_CLOEXEC);
        Assert.False(memfd.IsInvalid);
        int number = memfd.Number;

        var borrowed = new Interop.BorrowedFd(memfd);
        memfd.Dispose();
        Assert.False(memfd.IsClosed); // closing waits for the borrower
        Assert.True(File.Exists($"/proc/self/fd/{number}"));

        // An unknown fcntl command fails with EINVAL; the release then closes the fd, and close
        // succeeds: the errno the caller reads must still be the fcntl's.
        Assert.Equal(-1, Tmds.Linux.LibC.fcntl(borrowed.Value, 0x7FFF, 0));
        borrowed.Dispose();

        Assert.Equal(Errno.EINVAL, Marshal.GetLastPInvokeError());
        Assert.True(memfd.IsClosed);
        Assert.False(File.Exists($"/proc/self/fd/{number}"));
    }

    [Fact]
    public void BorrowedFd_OfAClosedHandle_Throws()
    {
        SafeFdHandle memfd = Interop.Libc.MemfdCreate("closed", Interop.Libc.MFD_CLOEXEC);
        memfd.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Interop.Libc.FTruncate(memfd, 4096));
    }

    [Fact]
    public void Paths_LongerThanTheStackBuffer_ReachLibcWhole()
    {
        // Over Interop.CString.StackBytes, so encoded on the heap; every component exists but
        // the last, so ENOENT (not ENAMETOOLONG or a truncated name) proves the whole path arrived.
        string deep = _dir;
        while (deep.Length <= Interop.CString.StackBytes + 100)
        {
            deep = Path.Combine(deep, "component-of-forty-characters-in-length");
        }

        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "here"), "x");

        Assert.Equal(Interop.Libc.S_IFREG, Interop.Libc.FileType(Path.Combine(deep, "here"), followSymlinks: true, out long size, out _));
        Assert.Equal(1, size);
        Assert.Equal(0, Interop.Libc.FileType(Path.Combine(deep, "not-here"), followSymlinks: true, out int errno));
        Assert.Equal(Errno.ENOENT, errno);
    }

    [Fact]
    public void Paths_OutsideAscii_AreUtf8()
    {
        string name = Path.Combine(_dir, "écran-画面");
        File.WriteAllText(name, "xyz");

        using SafeFdHandle fd = Interop.Libc.Open(name, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC);
        Assert.False(fd.IsInvalid);
        byte[] read = new byte[8];
        Assert.Equal(3, Interop.Libc.PRead(fd, read, 0));
        Assert.Equal("xyz"u8.ToArray(), read[..3]);
    }
}
