using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.VfioPlanes.Capture;

/// <summary>
/// Makes the screen a monitor would show from a frame's planes, on the CPU: the primary plane
/// converted to RGBA8 at 1:1, the cursor converted and blended over it at its signed position.
/// Buffers are kept between frames and grow only when the mode does, so a series of captures
/// of one mode allocates nothing per frame.
/// </summary>
public sealed class CpuCompositor
{
    private byte[] _screen = [];
    private byte[] _cursor = [];

    /// <summary>Width of the last composed screen in pixels.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Bytes per row of <see cref="Screen"/>: always Width * 4.</summary>
    public int Stride => Width * 4;

    /// <summary>The last composed screen, RGBA8, rows of <see cref="Stride"/> bytes.</summary>
    public ReadOnlySpan<byte> Screen => _screen.AsSpan(0, Stride * Height);

    /// <summary>
    /// Converts the primary plane. The primary is opaque as a monitor shows it, unless
    /// <paramref name="keepAlpha"/> asks for the alpha the guest wrote.
    /// </summary>
    public void DrawPrimary(in PlaneInfo primary, ReadOnlySpan<byte> bytes, bool keepAlpha)
    {
        Width = (int)primary.Width;
        Height = (int)primary.Height;
        EnsureSize(ref _screen, (long)Stride * Height);
        PixelConverter.ToRgba(bytes, PlaneLayout.FromPlane(primary), _screen, Stride, keepAlpha);
    }

    /// <summary>Converts the cursor plane (with its own alpha) and blends it over the screen at (x, y).</summary>
    public void DrawCursor(in PlaneInfo cursor, ReadOnlySpan<byte> bytes)
    {
        int width = (int)cursor.Width;
        int height = (int)cursor.Height;
        EnsureSize(ref _cursor, (long)width * 4 * height);
        PixelConverter.ToRgba(bytes, PlaneLayout.FromPlane(cursor), _cursor, width * 4, keepAlpha: true);
        // keepAlpha: a cursor's alpha is its shape; a cursor format without alpha converts to
        // A = 255 and covers its whole rectangle, as a hardware cursor would.
        CursorBlender.Blend(_screen.AsSpan(0, Stride * Height), Width, Height, Stride, _cursor, width, height, width * 4, cursor.X, cursor.Y);
    }

    private static void EnsureSize(ref byte[] buffer, long bytes)
    {
        if (bytes > Array.MaxLength)
        {
            throw new InvalidDataException($"a {bytes}-byte RGBA image is larger than this program can hold");
        }

        if (buffer.Length < bytes)
        {
            buffer = GC.AllocateUninitializedArray<byte>((int)bytes);
        }
    }
}
