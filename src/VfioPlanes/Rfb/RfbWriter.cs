// A growable byte buffer the encoders write RFB messages into, big-endian as RFB is.
using System.Buffers.Binary;

namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// The bytes of one outgoing update. The array grows only when an update is larger than any
/// before it, so a client's steady state allocates nothing; <see cref="Clear"/> keeps it.
/// </summary>
public sealed class RfbWriter
{
    private byte[] _buffer;

    public RfbWriter(int capacity = 4096)
    {
        _buffer = new byte[capacity];
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Room for <paramref name="bytes"/> more; returns the span to fill, then call <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int bytes)
    {
        Ensure(bytes);
        return _buffer.AsSpan(Length, bytes);
    }

    /// <summary>Moves the end; a negative count takes back bytes written (an encoder that found a smaller form).</summary>
    public void Advance(int bytes) => Length += bytes;

    public void PatchU8(int offset, byte v) => _buffer[offset] = v;

    public void U8(byte v)
    {
        Ensure(1);
        _buffer[Length++] = v;
    }

    public void U16(ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(GetSpan(2), v);
        Length += 2;
    }

    public void U16Le(ushort v)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), v);
        Length += 2;
    }

    public void U32(uint v)
    {
        BinaryPrimitives.WriteUInt32BigEndian(GetSpan(4), v);
        Length += 4;
    }

    public void U32Le(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), v);
        Length += 4;
    }

    public void S32(int v) => U32(unchecked((uint)v));

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>Overwrites a big-endian u16 written earlier (a count known only at the end).</summary>
    public void PatchU16(int offset, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset), v);

    public void PatchU32(int offset, uint v) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(offset), v);

    /// <summary>A rectangle header: x, y, width, height, encoding type.</summary>
    public void RectHeader(int x, int y, int width, int height, int encoding)
    {
        U16((ushort)x);
        U16((ushort)y);
        U16((ushort)width);
        U16((ushort)height);
        S32(encoding);
    }

    private void Ensure(int bytes)
    {
        if (Length + bytes > _buffer.Length)
        {
            long size = Math.Max((long)_buffer.Length * 2, (long)Length + bytes);
            Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
        }
    }
}
