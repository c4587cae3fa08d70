using VgpuView.VfioPlanes.SafeHandles;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Abi;

/// <summary>
/// Calls that return a new fd return a C int. A failure (-1) must give an invalid handle with
/// errno kept, never a handle for 0xFFFFFFFF (what a pointer-sized return would read).
/// </summary>
public class ReturnedFdTests
{
    [Fact]
    public void Open_MissingPath_GivesInvalidHandleAndEnoent()
    {
        using SafeFdHandle fd = Interop.Libc.Open("/nonexistent/vgpuview", Interop.Libc.O_RDWR);

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.ENOENT, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void MemfdCreate_BadFlags_GivesInvalidHandleAndEinval()
    {
        using SafeFdHandle fd = Interop.Libc.MemfdCreate("bad", 0x8000_0000);

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.EINVAL, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void Dup_ClosedFd_GivesInvalidHandleAndEbadf()
    {
        using var closed = new SafeFdHandle(999_999, ownsHandle: false);
        using SafeFdHandle fd = Interop.Libc.Dup(closed);

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.EBADF, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void GroupGetDeviceFd_OnAPlainFile_GivesInvalidHandleAndEnotty()
    {
        using SafeFdHandle memfd = Interop.Libc.MemfdCreate("group", Interop.Libc.MFD_CLOEXEC);
        using SafeFdHandle fd = Interop.Vfio.GroupGetDeviceFd(memfd, "0000:00:02.0");

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.ENOTTY, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void UdmabufCreate_OnAPlainFile_GivesInvalidHandleAndEnotty()
    {
        using SafeFdHandle notUdmabuf = Interop.Libc.Open("/dev/null", Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        using SafeFdHandle memfd = Interop.Libc.MemfdCreate("udmabuf", Interop.Libc.MFD_CLOEXEC);
        using SafeFdHandle fd = Interop.Udmabuf.Create(notUdmabuf, memfd, 4096);

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.ENOTTY, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void GetGfxDmaBuf_OnAPlainFile_GivesInvalidHandleAndEnotty()
    {
        using SafeFdHandle memfd = Interop.Libc.MemfdCreate("device", Interop.Libc.MFD_CLOEXEC);
        using SafeFdHandle fd = Interop.Vfio.GetGfxDmaBuf(memfd, 1);

        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.ENOTTY, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void SimBufferExport_WhenUdmabufFails_FallsBackToTheMemfd()
    {
        // /dev/null stands in for a udmabuf device that refuses the request.
        using SafeFdHandle notUdmabuf = Interop.Libc.Open("/dev/null", Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        using var buffer = VfioPlanes.Simulation.SimBuffer.Create(1, "export", 0, 0, 1, 1, 4, 4);
        buffer.Pixels[0] = 0x5A;

        Assert.Equal(0, buffer.Export(notUdmabuf, cpuMappable: true, out SafeFdHandle? fd));
        using (fd)
        {
            Assert.False(fd!.IsInvalid);
            Assert.StartsWith("/memfd:export", new FileInfo($"/proc/self/fd/{fd.Number}").LinkTarget, StringComparison.Ordinal);
            byte[] first = new byte[1];
            Assert.Equal(1, Interop.Libc.PRead(fd, first, 0));
            Assert.Equal(0x5A, first[0]);
        }
    }

    [Fact]
    public void Open_ExistingPath_GivesAUsableHandle()
    {
        using SafeFdHandle fd = Interop.Libc.Open("/dev/null", Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC);

        Assert.False(fd.IsInvalid);
        Assert.InRange(fd.Number, 0, 1 << 20);
        Assert.Equal(0, Interop.Libc.PRead(fd, new byte[4], 0));
    }
}
