// One published picture of the guest's screen, shared read-only by every client that sends it.
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// A picture the frame loop published: the primary plane as RGBA8 (without the cursor), the
/// cursor's image and place, and for every 64x64 tile the version at which it last changed, so
/// each client finds what changed since the version it last sent. Frames are pooled and
/// reference-counted: the loop fills a frame no client holds, so it never waits for one.
/// </summary>
internal sealed class ScreenFrame
{
    private int _references;

    public byte[] Rgba { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int Stride => Width * 4;

    /// <summary>Increases with every publication.</summary>
    public long Version { get; set; }

    /// <summary>Changes when the size does: a client that sent another size sends everything anew.</summary>
    public long SizeVersion { get; set; }

    /// <summary>The version at which each tile of the primary last changed.</summary>
    public long[] TileVersion { get; private set; } = [];

    /// <summary>As <see cref="TileVersion"/>, also counting the cursor's old and new place: for clients that get the cursor composed.</summary>
    public long[] ComposedTileVersion { get; private set; } = [];

    public int TilesAcross { get; private set; }

    public int TilesDown { get; private set; }

    public byte[] CursorRgba { get; private set; } = [];

    public int CursorWidth { get; set; }

    public int CursorHeight { get; set; }

    /// <summary>Top-left of the cursor image on the screen (the plane's position).</summary>
    public int CursorX { get; set; }

    public int CursorY { get; set; }

    public int HotX { get; set; }

    public int HotY { get; set; }

    public bool CursorShown { get; set; }

    /// <summary>Changes when the cursor's image does (or it is shown or hidden).</summary>
    public long CursorShapeVersion { get; set; }

    /// <summary>Changes when the cursor moves.</summary>
    public long CursorMoveVersion { get; set; }

    /// <summary>The device's display state, when it is not simply showing: "display not enabled", "device gone".</summary>
    public string? Message { get; set; }

    public void Resize(int width, int height)
    {
        Width = width;
        Height = height;
        TilesAcross = TileDamage.TilesAcross(width);
        TilesDown = TileDamage.TilesDown(height);
        long bytes = (long)width * height * 4;
        if (Rgba.Length < bytes)
        {
            Rgba = GC.AllocateUninitializedArray<byte>((int)bytes);
        }

        int tiles = TilesAcross * TilesDown;
        if (TileVersion.Length < tiles)
        {
            TileVersion = new long[tiles];
            ComposedTileVersion = new long[tiles];
        }
    }

    public void ResizeCursor(int width, int height)
    {
        CursorWidth = width;
        CursorHeight = height;
        if (CursorRgba.Length < width * height * 4)
        {
            CursorRgba = new byte[width * height * 4];
        }
    }

    /// <summary>Copies everything but the pixels of the primary from <paramref name="other"/>.</summary>
    public void CopyStateFrom(ScreenFrame other)
    {
        Resize(other.Width, other.Height);
        int tiles = TilesAcross * TilesDown;
        other.TileVersion.AsSpan(0, tiles).CopyTo(TileVersion);
        other.ComposedTileVersion.AsSpan(0, tiles).CopyTo(ComposedTileVersion);
        Version = other.Version;
        SizeVersion = other.SizeVersion;
        ResizeCursor(other.CursorWidth, other.CursorHeight);
        other.CursorRgba.AsSpan(0, CursorWidth * CursorHeight * 4).CopyTo(CursorRgba);
        CursorX = other.CursorX;
        CursorY = other.CursorY;
        HotX = other.HotX;
        HotY = other.HotY;
        CursorShown = other.CursorShown;
        CursorShapeVersion = other.CursorShapeVersion;
        CursorMoveVersion = other.CursorMoveVersion;
        Message = other.Message;
    }

    public bool InUse => Volatile.Read(ref _references) > 0;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release() => Interlocked.Decrement(ref _references);
}
