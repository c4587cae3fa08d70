// The RFB encoding and pseudo-encoding numbers the server knows (rfbproto 7.7, 7.8).
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>Encoding types as they appear in SetEncodings and rectangle headers.</summary>
public static class RfbEncoding
{
    public const int Raw = 0;
    public const int CopyRect = 1;
    public const int Hextile = 5;
    public const int Tight = 7;
    public const int Zrle = 16;

    public const int TightQualityLevel0 = -32; // -32..-23: JPEG quality 0..9
    public const int CompressLevel0 = -256;    // -256..-247
    public const int Cursor = -239;
    public const int DesktopSize = -223;
    public const int LastRect = -224;
    public const int PointerPos = -232;
    public const int ExtendedDesktopSize = -308;
    public const int Fence = -312;
    public const int ContinuousUpdates = -313;

    /// <summary>The name used by --encodings and the status output.</summary>
    public static string Name(int encoding) => encoding switch
    {
        Raw => "raw",
        CopyRect => "copyrect",
        Hextile => "hextile",
        Tight => "tight",
        Zrle => "zrle",
        _ => encoding.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The encoding of a --encodings name, or null.</summary>
    public static int? FromName(string name) => name.ToLowerInvariant() switch
    {
        "raw" => Raw,
        "copyrect" => CopyRect,
        "hextile" => Hextile,
        "tight" => Tight,
        "zrle" => Zrle,
        _ => null,
    };
}
