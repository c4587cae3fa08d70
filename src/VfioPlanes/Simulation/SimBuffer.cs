using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// One buffer object of the simulated vGPU: a sealed memfd holding a plane's bytes, mapped
/// writable so the guest can draw into it, with the plane layout the device reports for it.
/// GET_GFX_DMABUF hands out a new fd for it each time: a udmabuf dma-buf made from the memfd
/// where /dev/udmabuf exists, else a duplicate of the memfd. Either maps to the same pages, so
/// what the guest draws after the export shows through every consumer's mapping.
/// </summary>
internal sealed class SimBuffer : IDisposable
{
    private const long PageSize = 4096;

    private readonly SafeFdHandle _memfd;
    private readonly SafeMappedRegion _mapping;

    private SimBuffer(uint id, SafeFdHandle memfd, SafeMappedRegion mapping, long length)
    {
        Id = id;
        _memfd = memfd;
        _mapping = mapping;
        Length = length;
    }

    public uint Id { get; }

    /// <summary>The memfd's length: the plane size rounded up to whole pages, as udmabuf requires.</summary>
    public long Length { get; }

    public uint Fourcc { get; init; }

    public ulong Modifier { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public int Stride { get; init; }

    /// <summary>The size the device reports: stride times the height rounded up to whole tile rows.</summary>
    public uint Size { get; init; }

    /// <summary>The frame last drawn into the buffer, -1 when none: the guest redraws only what changed since.</summary>
    public long LastDrawnFrame { get; set; } = -1;

    /// <summary>Where the moving box was in that frame.</summary>
    public int LastBoxX { get; set; }

    public int LastBoxY { get; set; }

    /// <summary>For primary buffers the page-flip slot, for cursor buffers the shape.</summary>
    public int Shape { get; init; }

    /// <summary>The buffer's bytes, for the guest to draw into.</summary>
    public Span<byte> Pixels => _mapping.GetSpan();

    /// <summary>Creates a zeroed memfd of <paramref name="size"/> bytes (rounded up to pages), sealed against resizing.</summary>
    internal static SimBuffer Create(
        uint id, string name, uint fourcc, ulong modifier, int width, int height, int stride, long size, int shape = 0)
    {
        long length = (size + PageSize - 1) / PageSize * PageSize;
        SafeFdHandle memfd = CreateMemfd(name, length);
        try
        {
            SafeMappedRegion mapping = SafeMappedRegion.Map(memfd, 0, length, writable: true, name);
            return new SimBuffer(id, memfd, mapping, length)
            {
                Fourcc = fourcc,
                Modifier = modifier,
                Width = width,
                Height = height,
                Stride = stride,
                Size = checked((uint)size),
                Shape = shape,
            };
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A memfd of <paramref name="length"/> bytes with F_SEAL_SHRINK and F_SEAL_GROW: udmabuf
    /// refuses memfds that could shrink under it (drivers/dma-buf/udmabuf.c checks SEAL_SHRINK and
    /// rejects SEAL_WRITE).
    /// </summary>
    internal static SafeFdHandle CreateMemfd(string name, long length)
    {
        SafeFdHandle memfd = Interop.Libc.MemfdCreate(name, Interop.Libc.MFD_CLOEXEC | Interop.Libc.MFD_ALLOW_SEALING);
        if (memfd.IsInvalid)
        {
            Exception e = Errno.LastError("memfd_create", name);
            memfd.Dispose();
            throw e;
        }

        try
        {
            Errno.CheckIo(Interop.Libc.FTruncate(memfd, length), "ftruncate", name);
            Errno.CheckIo(
                Interop.Libc.Fcntl(memfd, Interop.Libc.F_ADD_SEALS, Interop.Libc.F_SEAL_SHRINK | Interop.Libc.F_SEAL_GROW),
                "fcntl(F_ADD_SEALS)",
                name);
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    /// <summary>A new fd for the buffer, owned by the caller; 0, or an errno.</summary>
    internal int Export(SafeFdHandle? udmabufDevice, out SafeFdHandle? fd)
    {
        if (udmabufDevice is not null)
        {
            SafeFdHandle dmabuf = Interop.Udmabuf.Create(udmabufDevice, _memfd, (ulong)Length);
            if (!dmabuf.IsInvalid)
            {
                fd = dmabuf;
                return 0;
            }

            // Fall back to the memfd itself: the pages are the same, only the fd kind differs.
            dmabuf.Dispose();
        }

        SafeFdHandle dup = Interop.Libc.Dup(_memfd);
        if (dup.IsInvalid)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            dup.Dispose();
            fd = null;
            return errno;
        }

        fd = dup;
        return 0;
    }

    public void Dispose()
    {
        _mapping.Dispose();
        _memfd.Dispose();
    }
}
