// Reads a client's bytes with one fixed buffer: messages are parsed in place, lengths are bounded.
namespace VgpuView.Viewer.Serve;

/// <summary>
/// A read buffer over the client's stream. Every read asks for a known, bounded number of
/// bytes (at most <see cref="Capacity"/>), so a client cannot make the server allocate by
/// announcing a length; what a client may send at length (cut text) is skipped in chunks.
/// </summary>
internal sealed class RfbReader(Stream stream)
{
    public const int Capacity = 8192;
    private readonly byte[] _buffer = new byte[Capacity];
    private int _start;
    private int _end;

    public Stream Stream { get; set; } = stream;

    /// <summary>Bytes read from the stream and not yet consumed.</summary>
    public int Buffered => _end - _start;

    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(int count, CancellationToken cancel)
    {
        if (count > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        if (_end - _start < count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            while (_end < count)
            {
                int read = await Stream.ReadAsync(_buffer.AsMemory(_end, Capacity - _end), cancel).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("the client closed the connection");
                }

                _end += read;
            }
        }

        var result = new ReadOnlyMemory<byte>(_buffer, _start, count);
        _start += count;
        return result;
    }

    public async ValueTask<byte> ReadByteAsync(CancellationToken cancel) => (await ReadAsync(1, cancel).ConfigureAwait(false)).Span[0];

    public async ValueTask SkipAsync(long count, CancellationToken cancel)
    {
        while (count > 0)
        {
            int chunk = (int)Math.Min(count, Capacity);
            await ReadAsync(chunk, cancel).ConfigureAwait(false);
            count -= chunk;
        }
    }
}
