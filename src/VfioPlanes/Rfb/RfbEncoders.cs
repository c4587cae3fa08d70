// Makes the encoder for an encoding type.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>The encoders the server has, by encoding type.</summary>
public static class RfbEncoders
{
    /// <summary>The encodings the server can use, in the order --encodings lists them by default.</summary>
    public static IReadOnlyList<int> All { get; } = [RfbEncoding.Raw, RfbEncoding.Hextile, RfbEncoding.Tight, RfbEncoding.Zrle];

    /// <summary>A new encoder; <paramref name="jpegQuality"/> is the client's Tight quality level 0-9, or -1.</summary>
    public static IRfbEncoder Create(int encoding, int jpegQuality) => encoding switch
    {
        RfbEncoding.Hextile => new HextileEncoder(),
        RfbEncoding.Zrle => new ZrleEncoder(),
        RfbEncoding.Tight => new TightEncoder(),
        _ => new RawRectEncoder(),
    };
}
