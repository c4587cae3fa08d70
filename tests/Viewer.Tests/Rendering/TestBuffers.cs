using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;
using Xunit;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>A memfd holding plane bytes, mapped writable: what the simulated vGPU hands out as a dma-buf.</summary>
internal sealed class MemfdBuffer : IDisposable
{
    private MemfdBuffer(SafeFdHandle fd, SafeMappedRegion mapping)
    {
        Fd = fd;
        Mapping = mapping;
    }

    public SafeFdHandle Fd { get; }

    public SafeMappedRegion Mapping { get; }

    public Span<byte> Bytes => Mapping.GetSpan();

    public static MemfdBuffer Create(ReadOnlySpan<byte> contents, int size)
    {
        int fd = MemfdCreateRaw("vgpuview-test", 1 /* MFD_CLOEXEC */);
        Assert.True(fd >= 0, $"memfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        var handle = new SafeFdHandle(fd, ownsHandle: true);
        Assert.Equal(0, FTruncateRaw(handle, size));
        SafeMappedRegion mapping = SafeMappedRegion.Map(handle, 0, size, writable: true, "test memfd");
        var buffer = new MemfdBuffer(handle, mapping);
        contents.CopyTo(buffer.Bytes);
        return buffer;
    }

    public void Dispose()
    {
        Mapping.Dispose();
        Fd.Dispose();
    }

    // DllImport, not LibraryImport: the generated stubs need unsafe code, which the test project does not enable.
    [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    private static extern int MemfdCreateRaw([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int FTruncateRaw(SafeFdHandle fd, long length);
}
