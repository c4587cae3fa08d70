// What an RFB rectangle encoder does, so a client's session can hold any of them.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// Encodes rectangles for one client. An encoder may keep state across rectangles (zlib
/// streams), so each client has its own.
/// </summary>
public interface IRfbEncoder
{
    /// <summary>The encoding type in the rectangle header.</summary>
    int Encoding { get; }

    /// <summary>The widest rectangle it takes; wider ones are split.</summary>
    int MaxWidth { get; }

    /// <summary>The most pixels a rectangle may have; larger ones are split into bands.</summary>
    int MaxPixels { get; }

    /// <summary>Writes the rectangle's data (after its header) from its pixel values, row after row.</summary>
    void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format);
}

/// <summary>
/// Raw as an <see cref="IRfbEncoder"/>. The padding bits of a 32-bit pixel (those outside the
/// three channels) are sent as ones: rfbproto leaves them unused, and noVNC 1.3 (Debian 12's)
/// takes them as alpha in every raw rectangle after the first one of a WebSocket message, since
/// its decoder makes the queue's first pixels opaque instead of the rectangle's; zero padding
/// showed there as transparent black.
/// </summary>
public sealed class RawRectEncoder : IRfbEncoder
{
    public int Encoding => RfbEncoding.Raw;

    public int MaxWidth => int.MaxValue;

    public int MaxPixels => int.MaxValue;

    public void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format)
    {
        int bytes = values.Length * format.BytesPerPixel;
        Span<byte> dst = w.GetSpan(bytes);
        format.WritePixels(values, dst);
        uint padding = format.BitsPerPixel == 32
            ? ~(((uint)format.RedMax << format.RedShift) | ((uint)format.GreenMax << format.GreenShift) | ((uint)format.BlueMax << format.BlueShift))
            : 0;
        if (padding != 0)
        {
            // The pixels are in the client's byte order: the mask goes in the same order.
            uint mask = format.BigEndian == BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(padding) : padding;
            Span<uint> words = MemoryMarshal.Cast<byte, uint>(dst[..bytes]);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<uint> m = Vector256.Create(mask);
                for (; i + Vector256<uint>.Count <= words.Length; i += Vector256<uint>.Count)
                {
                    (Vector256.LoadUnsafe(ref words[i]) | m).StoreUnsafe(ref words[i]);
                }
            }

            for (; i < words.Length; i++)
            {
                words[i] |= mask;
            }
        }

        w.Advance(bytes);
    }
}
