// The Raw encoding (rfbproto 7.7.1): pixels left to right, top to bottom, in the client's format.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>Writes a rectangle's pixel values as Raw data.</summary>
public static class RawEncoder
{
    public static void Encode(RfbWriter w, ReadOnlySpan<uint> values, in RfbPixelFormat format)
    {
        int bytes = values.Length * format.BytesPerPixel;
        format.WritePixels(values, w.GetSpan(bytes));
        w.Advance(bytes);
    }
}
