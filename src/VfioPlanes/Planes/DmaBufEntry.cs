using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// One dma-buf in the <see cref="DmaBufCache"/>: the fd GET_GFX_DMABUF gave for a dmabuf_id,
/// and the layout it was fetched for. The cache owns it; it lives until evicted, and consumers
/// that made something from it (the renderer's texture store) learn of that through
/// <see cref="DmaBufCache.Evicted"/>, before its fd closes.
/// </summary>
public sealed class DmaBufEntry
{
    private readonly DmaBufCache _cache;
    private SafeMappedRegion? _mapping;
    private bool _syncUnsupported;
    private bool _reading;

    internal DmaBufEntry(DmaBufCache cache, in PlaneInfo layout, SafeFdHandle fd)
    {
        _cache = cache;
        Layout = layout;
        Fd = fd;
    }

    /// <summary>The dmabuf_id: the cache key.</summary>
    public uint Id => Layout.Id;

    /// <summary>The plane answer this buffer was fetched for (its position is that of the first answer).</summary>
    public PlaneInfo Layout { get; }

    /// <summary>The dma-buf fd. Owned by the entry: do not dispose; import it (EGL dups nothing, it takes a reference).</summary>
    public SafeFdHandle Fd { get; }

    /// <summary>Whether a frame holds this entry (acquired and not yet released); such entries are never evicted.</summary>
    public bool IsInUse => RefCount > 0;

    /// <summary>Whether the entry was evicted and its fd closed.</summary>
    public bool IsDisposed { get; private set; }

    internal int RefCount { get; set; }

    // Stamp of the last acquire, for least-recently-used eviction.
    internal long LastUse { get; set; }

    // Removed from the cache's lookup (its id came back with another layout); closes when released.
    internal bool Retired { get; set; }

    /// <summary>
    /// Maps the buffer read-only (once per entry) and starts a CPU read. Throws a VfioException
    /// keeping the errno when the exporter does not allow a CPU mapping.
    /// </summary>
    public PlaneMemory BeginCpuRead()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_reading)
        {
            throw new InvalidOperationException($"a CPU read of dma-buf {Id} of {_cache.Device.Name} is already open");
        }

        _mapping ??= MapForCpu();
        Sync(Interop.DmaBuf.DMA_BUF_SYNC_START | Interop.DmaBuf.DMA_BUF_SYNC_READ, throwOnError: true);
        _reading = true;
        return new PlaneMemory(_mapping.GetSpan(), this);
    }

    internal void EndCpuRead()
    {
        if (!_reading)
        {
            return;
        }

        _reading = false;
        if (!IsDisposed)
        {
            // An END that fails leaves nothing to undo: the read is over either way.
            Sync(Interop.DmaBuf.DMA_BUF_SYNC_END | Interop.DmaBuf.DMA_BUF_SYNC_READ, throwOnError: false);
        }
    }

    // Closes the mapping and the fd. Only the cache calls this, after raising Evicted.
    internal void Close()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        _mapping?.Dispose();
        _mapping = null;
        Fd.Dispose();
    }

    private SafeMappedRegion MapForCpu()
    {
        string what = $"dma-buf {Id} of {_cache.Device.Name}";
        try
        {
            return SafeMappedRegion.Map(Fd, 0, Layout.Size, writable: false, what);
        }
        catch (Exception e) when (e is VfioException or UnauthorizedAccessException or FileNotFoundException)
        {
            int errno = (e as VfioException ?? e.InnerException as VfioException)?.Errno ?? 0;
            // What to do instead depends on the command (capture has --gpu, expect does not), so
            // the caller adds that; the message says what failed and, for EACCES, the likely why.
            throw new VfioException(errno, "mmap", what,
                $"dma-buf of {_cache.Device.Name} cannot be mapped by the CPU ({Errno.Name(errno)} from mmap of dma-buf {Id}, {Layout.Size} bytes)" +
                (errno is Errno.EACCES or Errno.EPERM ? "; the stock mbochs exports read-only dma-bufs" : string.Empty));
        }
    }

    private void Sync(ulong flags, bool throwOnError)
    {
        if (_syncUnsupported)
        {
            return;
        }

        var sync = new Interop.DmaBuf.dma_buf_sync { flags = flags };
        for (int attempt = 0; ; attempt++)
        {
            if (Interop.Libc.Ioctl(Fd, Interop.DmaBuf.DMA_BUF_IOCTL_SYNC, ref sync) == 0)
            {
                return;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();

            // The simulated vGPU hands out memfds where udmabuf is missing: not a dma-buf, so
            // the ioctl is ENOTTY, and plain shared memory needs no cache maintenance.
            if (errno == Errno.ENOTTY)
            {
                _syncUnsupported = true;
                return;
            }

            // dma_buf_ioctl waits on fences and may be interrupted; the call is restartable.
            if ((errno == Errno.EINTR || errno == Errno.EAGAIN) && attempt < 8)
            {
                continue;
            }

            if (throwOnError)
            {
                throw new VfioException(errno, "DMA_BUF_IOCTL_SYNC", $"dma-buf {Id} of {_cache.Device.Name}");
            }

            return;
        }
    }
}
