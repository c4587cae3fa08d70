// One zlib stream that lives as long as a connection and is sync-flushed at each rectangle's end.
using System.IO.Compression;

namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// ZRLE and Tight compress every rectangle with a zlib stream that continues across the whole
/// connection (rfbproto 7.7.5, 7.7.6): the decoder keeps one inflater per stream, so each
/// rectangle's output is what the deflater gives up to a Z_SYNC_FLUSH, which
/// <see cref="DeflateStream.Flush"/> performs. The output buffer is kept between rectangles.
/// </summary>
public sealed class ZlibChannel : IDisposable
{
    private readonly MemoryStream _sink = new();
    private readonly ZLibStream _zlib;

    public ZlibChannel(int level)
    {
        _zlib = new ZLibStream(_sink, new ZLibCompressionOptions { CompressionLevel = Math.Clamp(level, 0, 9) }, leaveOpen: true);
    }

    public void Write(ReadOnlySpan<byte> bytes) => _zlib.Write(bytes);

    /// <summary>Flushes and returns the compressed bytes since the previous call (valid until the next write).</summary>
    public ReadOnlySpan<byte> Flush()
    {
        _zlib.Flush();
        ReadOnlySpan<byte> output = _sink.GetBuffer().AsSpan(0, (int)_sink.Length);
        _sink.SetLength(0);
        return output;
    }

    public void Dispose()
    {
        _zlib.Dispose();
        _sink.Dispose();
    }
}
