// A zlib stream the test client feeds one rectangle's bytes at a time, as RFB's persistent streams arrive.
using System.IO.Compression;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>A zlib stream fed one rectangle's bytes at a time, as RFB's persistent streams are.</summary>
internal sealed class ZlibFeed : IDisposable
{
    private readonly Feed _feed = new();
    private readonly ZLibStream _inflate;

    public ZlibFeed()
    {
        _inflate = new ZLibStream(_feed, CompressionMode.Decompress);
    }

    /// <summary>Compressed bytes added and not yet consumed by the inflater.</summary>
    public int Pending => _feed.Pending;

    public void Add(byte[] bytes) => _feed.Add(bytes);

    public byte[] Read(int count)
    {
        byte[] result = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = _inflate.Read(result, done, count - done);
            if (n == 0)
            {
                throw new InvalidDataException($"the zlib stream gave {done} of {count} bytes");
            }

            done += n;
        }

        return result;
    }

    public void Dispose() => _inflate.Dispose();

    private sealed class Feed : Stream
    {
        private readonly Queue<byte> _bytes = new();

        public int Pending => _bytes.Count;

        public void Add(byte[] bytes)
        {
            foreach (byte b in bytes)
            {
                _bytes.Enqueue(b);
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && _bytes.Count > 0)
            {
                buffer[offset + n++] = _bytes.Dequeue();
            }

            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
