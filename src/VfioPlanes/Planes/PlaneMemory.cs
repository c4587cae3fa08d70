namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// A plane's bytes, readable by the CPU until disposed. For a dma-buf the read is bracketed
/// by DMA_BUF_IOCTL_SYNC START|READ and END|READ, so the exporter can flush caches first
/// (linux/dma-buf.h); a region plane needs no bracket.
/// <code>using PlaneMemory read = entry.BeginCpuRead(); ReadOnlySpan&lt;byte&gt; bytes = read.Bytes;</code>
/// </summary>
public readonly ref struct PlaneMemory
{
    private readonly DmaBufEntry? _syncOwner;

    internal PlaneMemory(ReadOnlySpan<byte> bytes, DmaBufEntry? syncOwner)
    {
        Bytes = bytes;
        _syncOwner = syncOwner;
    }

    /// <summary>The plane's bytes as the device laid them out (stride, tiling, format), <see cref="PlaneInfo.Size"/> long.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose() => _syncOwner?.EndCpuRead();
}
