// What an RFB rectangle encoder does, so a client's session can hold any of them.
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

/// <summary>Raw as an <see cref="IRfbEncoder"/>.</summary>
public sealed class RawRectEncoder : IRfbEncoder
{
    public int Encoding => RfbEncoding.Raw;

    public int MaxWidth => int.MaxValue;

    public int MaxPixels => int.MaxValue;

    public void Encode(RfbWriter w, ReadOnlySpan<uint> values, int width, int height, in RfbPixelFormat format) =>
        RawEncoder.Encode(w, values, format);
}
