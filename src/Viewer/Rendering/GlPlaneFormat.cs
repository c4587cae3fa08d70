using Silk.NET.OpenGL;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// How a DRM format reaches the shaders. The texture always holds the device's bytes unchanged
/// (one texel per pixel, or per pixel pair for 4:2:2 YUV), and plane.frag decodes them with the
/// shift/width/order below. Both paths therefore sample the same texels: the import names a
/// "carrier" fourcc whose texels are the raw bytes (AB24 samples bytes 0..3 as R, G, B, A), the
/// upload names the matching GL format. Decoding in the shader keeps the result integer-exact
/// with the CPU converter, where a driver's own YUV sampling or 10-bit rounding would not be.
/// Tiling is a property of bytes, so a carrier imports a tiled buffer with the plane's modifier.
/// </summary>
internal readonly record struct GlPlaneFormat(
    FormatInfo Format,
    int TexelBytes,
    uint CarrierFourcc,
    InternalFormat GlInternalFormat,
    PixelFormat GlFormat,
    bool Yuv,
    (int R, int G, int B, int A) Shift,
    (int R, int G, int B, int A) Bits,
    (int Y0, int Y1, int Cb, int Cr) Order)
{
    private const uint CarrierAbgr8888 = DrmFourcc.ABGR8888;
    private const uint CarrierBgr888 = DrmFourcc.BGR888;
    private const uint CarrierGr88 = 'G' | ('R' << 8) | ('8' << 16) | ('8' << 24);
    private const uint CarrierR8 = 'R' | ('8' << 8) | (' ' << 16) | (' ' << 24);

    /// <summary>Every channel a whole byte of the texel (8888 orders, 24-bit RGB, C8): plane.frag picks bytes without integer decoding.</summary>
    public bool WholeBytes =>
        !Yuv && Bits.R == 8 && Bits.G == 8 && Bits.B == 8 && Bits.A is 0 or 8
        && Shift.R % 8 == 0 && Shift.G % 8 == 0 && Shift.B % 8 == 0 && Shift.A % 8 == 0;

    /// <summary>Texels in one row of a plane <paramref name="width"/> pixels wide.</summary>
    public int TexelsPerRow(int width) => Yuv ? (width + 1) / 2 : width;

    public static bool TryGet(uint fourcc, out GlPlaneFormat format)
    {
        format = default;
        if (!FormatTable.TryGet(fourcc, out FormatInfo info))
        {
            return false;
        }

        // Bit positions from drm_fourcc.h, where [31:0] A:R:G:B means B in bits 0..7 of the
        // little-endian word.
        format = fourcc switch
        {
            DrmFourcc.C8 => Packed(info, 1, (0, 0, 0, 0), (8, 8, 8, 0)),
            DrmFourcc.RGB565 => Packed(info, 2, (11, 5, 0, 0), (5, 6, 5, 0)),
            DrmFourcc.BGR565 => Packed(info, 2, (0, 5, 11, 0), (5, 6, 5, 0)),
            DrmFourcc.RGB888 => Packed(info, 3, (16, 8, 0, 0), (8, 8, 8, 0)),
            DrmFourcc.BGR888 => Packed(info, 3, (0, 8, 16, 0), (8, 8, 8, 0)),
            DrmFourcc.XRGB8888 => Packed(info, 4, (16, 8, 0, 0), (8, 8, 8, 0)),
            DrmFourcc.ARGB8888 => Packed(info, 4, (16, 8, 0, 24), (8, 8, 8, 8)),
            DrmFourcc.XBGR8888 => Packed(info, 4, (0, 8, 16, 0), (8, 8, 8, 0)),
            DrmFourcc.ABGR8888 => Packed(info, 4, (0, 8, 16, 24), (8, 8, 8, 8)),
            DrmFourcc.RGBX8888 => Packed(info, 4, (24, 16, 8, 0), (8, 8, 8, 0)),
            DrmFourcc.BGRX8888 => Packed(info, 4, (8, 16, 24, 0), (8, 8, 8, 0)),
            DrmFourcc.XRGB2101010 => Packed(info, 4, (20, 10, 0, 0), (10, 10, 10, 0)),
            DrmFourcc.ARGB2101010 => Packed(info, 4, (20, 10, 0, 30), (10, 10, 10, 2)),
            DrmFourcc.XBGR2101010 => Packed(info, 4, (0, 10, 20, 0), (10, 10, 10, 0)),
            DrmFourcc.ABGR2101010 => Packed(info, 4, (0, 10, 20, 30), (10, 10, 10, 2)),

            // [31:0] Cr0:Y1:Cb0:Y0 for YUYV: bytes Y0, Cb, Y1, Cr; the others permute them.
            DrmFourcc.YUYV => Yuv422(info, (0, 2, 1, 3)),
            DrmFourcc.YVYU => Yuv422(info, (0, 2, 3, 1)),
            DrmFourcc.UYVY => Yuv422(info, (1, 3, 0, 2)),
            DrmFourcc.VYUY => Yuv422(info, (1, 3, 2, 0)),
            _ => default,
        };

        return format.TexelBytes != 0;
    }

    /// <summary>
    /// The format of <paramref name="plane"/>, once its layout is one a texture can hold: a known
    /// format, sides within <paramref name="maxTextureSize"/>, a stride covering a row and a size
    /// covering every row read. Throws NotSupportedException or ArgumentException saying which.
    /// </summary>
    public static GlPlaneFormat ForPlane(in PlaneInfo plane, int maxTextureSize)
    {
        if (!TryGet(plane.Fourcc, out GlPlaneFormat format))
        {
            throw new NotSupportedException($"{plane.Plane} plane format {plane.FormatName} (0x{plane.Fourcc:x8}) is not one the renderer knows");
        }

        int texels = format.TexelsPerRow((int)plane.Width);
        if (plane.Width == 0 || plane.Height == 0 || texels > maxTextureSize || plane.Height > maxTextureSize)
        {
            throw new ArgumentException($"{plane.Plane} plane {plane.Width}x{plane.Height} does not fit a texture (1 to {maxTextureSize} per side)", nameof(plane));
        }

        if ((long)texels * format.TexelBytes > plane.Stride)
        {
            throw new ArgumentException($"{plane.Plane} plane stride {plane.Stride} is below {plane.Width} pixels of {plane.FormatName}", nameof(plane));
        }

        // Reading past the end of a dma-buf's pages faults (SIGBUS), so the size the device
        // reports must cover every row the texture reads.
        // Tiled planes are read in whole rows of tiles (TileLayout.Rows), whether the driver
        // imports them or the CPU detiles them; a modifier the program does not know can only be
        // imported, and is held to whole rows of its stride.
        long rowBytes = (long)texels * format.TexelBytes;
        long required = TileLayout.TryGet(plane.Modifier, format.Format.BytesPerPixel, out TileLayout tiles)
            ? tiles.RequiredBytes(plane.Stride, plane.Height, rowBytes)
            : (long)plane.Stride * plane.Height;
        if (plane.Size < required)
        {
            throw new ArgumentException($"{plane.Plane} plane size {plane.Size} is below the {required} bytes of {plane.Height} rows of stride {plane.Stride}", nameof(plane));
        }

        return format;
    }

    private static GlPlaneFormat Packed(FormatInfo info, int bytes, (int, int, int, int) shift, (int, int, int, int) bits) =>
        new(info, bytes, Carrier(bytes), Internal(bytes), External(bytes), false, shift, bits, default);

    private static GlPlaneFormat Yuv422(FormatInfo info, (int, int, int, int) order) =>
        new(info, 4, CarrierAbgr8888, InternalFormat.Rgba8, PixelFormat.Rgba, true, default, default, order);

    private static uint Carrier(int bytes) => bytes switch
    {
        1 => CarrierR8,
        2 => CarrierGr88,
        3 => CarrierBgr888,
        _ => CarrierAbgr8888,
    };

    private static InternalFormat Internal(int bytes) => bytes switch
    {
        1 => InternalFormat.R8,
        2 => InternalFormat.RG8,
        3 => InternalFormat.Rgb8,
        _ => InternalFormat.Rgba8,
    };

    private static PixelFormat External(int bytes) => bytes switch
    {
        1 => PixelFormat.Red,
        2 => PixelFormat.RG,
        3 => PixelFormat.Rgb,
        _ => PixelFormat.Rgba,
    };
}
