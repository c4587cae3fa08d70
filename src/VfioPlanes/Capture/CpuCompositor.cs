using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.VfioPlanes.Capture;

/// <summary>
/// Makes the screen a monitor would show from a frame's planes, on the CPU: the primary plane
/// converted to RGBA8 at 1:1, the cursor (when <see cref="Frame.DrawsCursor"/>) converted and
/// blended over it at its signed position. <see cref="Compose"/> is the one way a whole frame
/// becomes a picture for capture, expect and the window's screenshot. Buffers are kept between
/// frames and grow only when the mode does, so a series of one mode allocates nothing per frame.
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
    /// Composes <paramref name="frame"/>, whose primary must be shown: the primary, then the
    /// cursor when <paramref name="withCursor"/> and the frame <see cref="Frame.DrawsCursor"/>.
    /// Each plane is read once; <paramref name="raw"/>, when given, keeps the bytes of that same
    /// read, so a raw capture and the picture are one frame.
    /// </summary>
    /// <exception cref="PlaneConversionException">A plane's layout is one the converter refuses, or its picture is too large.</exception>
    /// <exception cref="IOException">A plane's buffer cannot be read (a dma-buf the CPU cannot map).</exception>
    public void Compose(Frame frame, bool withCursor = true, bool keepAlpha = false, RawCapture? raw = null)
    {
        Draw(frame.Primary, keepAlpha, raw);
        if (withCursor && frame.DrawsCursor)
        {
            Draw(frame.Cursor, keepAlpha, raw);
        }
    }

    // keepAlpha is the primary's: a cursor always keeps its alpha, which is its shape.
    private void Draw(PlaneState plane, bool keepAlpha, RawCapture? raw)
    {
        try
        {
            using PlaneMemory memory = plane.BeginCpuRead();
            if (plane.Plane == PlaneType.Cursor)
            {
                DrawCursor(plane.Info, memory.Bytes);
                raw?.KeepCursor(plane.Info, memory.Bytes);
            }
            else
            {
                DrawPrimary(plane.Info, memory.Bytes, keepAlpha);
                raw?.KeepPrimary(plane.Info, memory.Bytes);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new PlaneConversionException(plane.Info, e);
        }
    }

    /// <summary>
    /// Converts the primary plane alone, from bytes the caller read. The primary is opaque as a
    /// monitor shows it, unless <paramref name="keepAlpha"/> asks for the alpha the guest wrote.
    /// </summary>
    public void DrawPrimary(in PlaneInfo primary, ReadOnlySpan<byte> bytes, bool keepAlpha)
    {
        // The new size is taken only once the buffer holds it: a refused size leaves the last
        // screen whole.
        int width = (int)primary.Width;
        int height = (int)primary.Height;
        EnsureSize(ref _screen, (long)width * 4 * height);
        Width = width;
        Height = height;
        PixelConverter.ToRgba(bytes, PlaneLayout.FromPlane(primary), _screen, Stride, keepAlpha);
    }

    /// <summary>Converts the cursor plane (with its own alpha) and blends it over the screen at (x, y).</summary>
    public void DrawCursor(in PlaneInfo cursor, ReadOnlySpan<byte> bytes)
    {
        int width = (int)cursor.Width;
        int height = (int)cursor.Height;
        EnsureSize(ref _cursor, (long)width * 4 * height);
        CursorToRgba(cursor, bytes, _cursor);
        CursorBlender.Blend(_screen.AsSpan(0, Stride * Height), Width, Height, Stride, _cursor, width, height, width * 4, cursor.X, cursor.Y);
    }

    /// <summary>
    /// The cursor's own picture, RGBA8 in rows of Width * 4 bytes, for a client that draws the
    /// cursor itself. Its alpha is its shape: a cursor format without alpha converts to A = 255
    /// and covers its whole rectangle, as a hardware cursor would.
    /// </summary>
    public static void CursorToRgba(in PlaneInfo cursor, ReadOnlySpan<byte> bytes, Span<byte> rgba) =>
        PixelConverter.ToRgba(bytes, PlaneLayout.FromPlane(cursor), rgba, (int)cursor.Width * 4, keepAlpha: true);

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
