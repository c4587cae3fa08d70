using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>A snapshot of the cache's counters.</summary>
/// <param name="Hits">Acquires answered from the cache.</param>
/// <param name="Misses">Acquires that asked the kernel for a dma-buf fd (successfully or not).</param>
/// <param name="Failures">Misses whose GET_GFX_DMABUF failed.</param>
/// <param name="Evictions">Entries closed (least recently used, retired by a reused id, or at Dispose).</param>
/// <param name="OpenFds">Entries whose fd is open now: always Misses - Failures - Evictions.</param>
public readonly record struct CacheCounters(long Hits, long Misses, long Failures, long Evictions, int OpenFds);

/// <summary>
/// The dma-buf fds of a device, least recently used first out, keyed by dmabuf_id. One cache
/// serves primary and cursor, as QEMU's vfio display does (hw/vfio/display.c keeps a list of
/// five). An id is a plane's generation, so a hit needs the same id and the same layout; GVT-g
/// reuses ids after freeing their objects, so an id with another layout is fetched anew.
/// Entries held by a frame are never evicted; while everything is held the cache may exceed its
/// capacity and trims itself as entries are released. Not thread-safe: the thread that runs
/// the frames acquires, releases and receives <see cref="Evicted"/>.
/// </summary>
public sealed class DmaBufCache : IDisposable
{
    private readonly List<DmaBufEntry> _entries;
    private readonly List<DmaBufEntry> _retired = [];
    private long _clock;
    private long _hits;
    private long _misses;
    private long _failures;
    private long _evictions;
    private bool _disposed;

    public DmaBufCache(VgpuDevice device, int capacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Device = device;
        Capacity = capacity;
        _entries = new List<DmaBufEntry>(capacity + 4);
    }

    /// <summary>
    /// Raised just before an entry's fd and mapping are closed, so consumers can free what they
    /// made from it (EGLImages, textures), now or later: those hold their own references on the buffer.
    /// </summary>
    public event Action<DmaBufEntry>? Evicted;

    public VgpuDevice Device { get; }

    public int Capacity { get; }

    public CacheCounters Counters => new(_hits, _misses, _failures, _evictions, _entries.Count + _retired.Count);

    /// <summary>
    /// The entry for <paramref name="info"/>, fetched from the kernel on a miss, and marked in
    /// use until <see cref="Release"/>. Throws a VfioException carrying the errno when the kernel
    /// refuses the fd.
    /// </summary>
    public DmaBufEntry Acquire(in PlaneInfo info)
    {
        if (!TryAcquire(info, out DmaBufEntry? entry, out int errno))
        {
            throw new VfioException(errno, $"VFIO_DEVICE_GET_GFX_DMABUF for dmabuf_id {info.Id}", Device.Name);
        }

        return entry;
    }

    /// <summary>
    /// As <see cref="Acquire"/>, but a refused fd returns false with the errno (ENOMEM and the
    /// like pass; the frame retries) instead of throwing. Allocates nothing on a hit.
    /// </summary>
    public bool TryAcquire(in PlaneInfo info, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DmaBufEntry? entry, out int errno)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (info.Kind != PlaneBufferKind.DmaBuf)
        {
            throw new ArgumentException($"plane {info.Id} of {Device.Name} is a region plane, not a dma-buf", nameof(info));
        }

        errno = 0;
        for (int i = 0; i < _entries.Count; i++)
        {
            DmaBufEntry candidate = _entries[i];
            if (candidate.Id != info.Id)
            {
                continue;
            }

            if (candidate.Layout.SameLayout(info))
            {
                _hits++;
                candidate.RefCount++;
                candidate.LastUse = ++_clock;
                entry = candidate;
                return true;
            }

            // The id came back with another layout: the guest freed the old object and the
            // device reused its id. The old fd is a different buffer; it goes now, or when
            // the frame holding it lets go.
            _entries.RemoveAt(i);
            Retire(candidate);
            break;
        }

        _misses++;
        int result = Device.Raw.GetGfxDmaBuf(info.Id, out SafeFdHandle? fd);
        if (result != 0 || fd is null || fd.IsInvalid)
        {
            fd?.Dispose();
            _failures++;
            errno = result != 0 ? result : Errno.EBADF;
            entry = null;
            return false;
        }

        entry = new DmaBufEntry(this, info, fd) { RefCount = 1, LastUse = ++_clock };
        _entries.Add(entry);
        Trim();
        return true;
    }

    /// <summary>Ends one <see cref="Acquire"/> of <paramref name="entry"/>; an unused entry may then be evicted.</summary>
    public void Release(DmaBufEntry entry)
    {
        if (entry.RefCount <= 0)
        {
            throw new InvalidOperationException($"dma-buf {entry.Id} of {Device.Name} released more often than acquired");
        }

        entry.RefCount--;
        if (entry.RefCount > 0 || _disposed)
        {
            return;
        }

        if (entry.Retired)
        {
            _retired.Remove(entry);
            Evict(entry);
            return;
        }

        Trim();
    }

    /// <summary>Closes every entry, held or not, raising <see cref="Evicted"/> for each.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (DmaBufEntry entry in _entries)
        {
            Evict(entry);
        }

        foreach (DmaBufEntry entry in _retired)
        {
            Evict(entry);
        }

        _entries.Clear();
        _retired.Clear();
    }

    private void Retire(DmaBufEntry entry)
    {
        if (entry.IsInUse)
        {
            entry.Retired = true;
            _retired.Add(entry);
        }
        else
        {
            Evict(entry);
        }
    }

    // Evicts least recently used entries that no frame holds until the cache is within capacity.
    private void Trim()
    {
        while (_entries.Count > Capacity)
        {
            int victim = -1;
            for (int i = 0; i < _entries.Count; i++)
            {
                DmaBufEntry e = _entries[i];
                if (!e.IsInUse && (victim < 0 || e.LastUse < _entries[victim].LastUse))
                {
                    victim = i;
                }
            }

            if (victim < 0)
            {
                return;
            }

            DmaBufEntry evicted = _entries[victim];
            _entries.RemoveAt(victim);
            Evict(evicted);
        }
    }

    private void Evict(DmaBufEntry entry)
    {
        // Tell consumers first, so they can let go of what they made from the entry while its fd
        // is still open: the renderer deletes the entry's texture and EGLImage here, on this
        // thread, the one that runs the frames.
        try
        {
            Evicted?.Invoke(entry);
        }
        finally
        {
            entry.Close();
            _evictions++;
        }
    }
}
