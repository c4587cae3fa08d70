// The one frame loop of `serve`: queries the device, finds what changed, publishes pictures.
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

/// <summary>
/// Runs on its own thread and never waits for a client. Each tick queries both planes; one
/// row in eight of the primary's bytes is compared with a copy of the last ones (vectorised,
/// a different row each tick), so an unchanged guest costs the query and an eighth of a compare. A change is composed on the CPU exactly as
/// `capture` composes it, compared with the last published picture in 64x64 tiles, and
/// published as a new <see cref="ScreenFrame"/> from a pool of frames no client holds.
/// </summary>
internal sealed partial class FrameLoop : IDisposable
{
    private const int DefaultWidth = 640;
    private const int DefaultHeight = 480;

    private readonly FrameSource _source;
    private readonly Frame _frame = new();
    private readonly CpuCompositor _compositor = new();
    private readonly List<ScreenFrame> _pool = [];
    private readonly Lock _gate = new();
    private readonly ServeLog _log;
    private readonly MessageOverlay _overlay = new();
    private bool[] _changed = [];
    private byte[] _raw = [];
    private PlaneInfo _rawInfo;
    private bool _haveRaw;
    private byte[] _cursorRaw = [];
    private PlaneInfo _cursorInfo;
    private bool _cursorShown;
    private ScreenFrame _current;
    private string? _reportedProblem;

    public FrameLoop(VgpuDevice device, int cacheSize, ServeLog log)
    {
        _source = new FrameSource(device, cacheSize);
        _log = log;
        Name = device.Name;
        _current = new ScreenFrame();
        _current.Resize(DefaultWidth, DefaultHeight);
        Array.Clear(_current.Rgba);
        _current.Message = "display not enabled";
        _current.Version = 1;
        _current.SizeVersion = 1;
        _overlay.Draw(_current, dim: false);
        _pool.Add(_current);
    }

    /// <summary>The device's name, as ServerInit gives it.</summary>
    public string Name { get; }

    /// <summary>Called on the loop's thread after each publication.</summary>
    public event Action? Published;

    /// <summary>Set when the device went away: the message of the last frame.</summary>
    public string? GoneMessage { get; private set; }

    public long CurrentVersion
    {
        get
        {
            lock (_gate)
            {
                return _current.Version;
            }
        }
    }

    /// <summary>The newest frame, referenced until <see cref="ScreenFrame.Release"/>.</summary>
    public ScreenFrame Acquire()
    {
        lock (_gate)
        {
            _current.AddReference();
            return _current;
        }
    }

    /// <summary>One tick: query, compare, publish when something changed. Returns false once the device is gone.</summary>
    public bool Tick()
    {
        FrameStatus status = _source.Next(_frame);
        if (status == FrameStatus.DeviceGone)
        {
            GoneMessage = _frame.Primary.Message ?? _frame.Cursor.Message ?? $"{Name}: device gone";
            PublishMessage("device gone");
            return false;
        }

        PlaneState primary = _frame.Primary;
        bool primaryChanged = false;
        if (primary.Status == PlaneStatus.Enabled && primary.IsShown)
        {
            if (!ReadPrimary(primary, out primaryChanged))
            {
                return true;
            }

            // The display came back: everything is sent anew even if its pixels did not change.
            primaryChanged |= _current.Message is not null;
        }
        else if (primary.Status == PlaneStatus.Disabled)
        {
            _haveRaw = false;
            if (_current.Message is null)
            {
                PublishMessage("display not enabled");
            }

            return true;
        }
        else if (primary.Status == PlaneStatus.Invalid && primary.Message != _reportedProblem)
        {
            _reportedProblem = primary.Message;
            _log.Line($"{primary.Message}; the last picture stays");
        }

        bool cursorShape = false, cursorMoved = false;
        if (_haveRaw)
        {
            ReadCursor(_frame, out cursorShape, out cursorMoved);
        }

        if (primaryChanged || cursorShape || cursorMoved)
        {
            Publish(primaryChanged, cursorShape, cursorMoved);
        }

        return true;
    }

    // Reads the primary's bytes and composes them when they differ from the last ones.
    private bool ReadPrimary(PlaneState primary, out bool changed)
    {
        changed = false;
        PlaneInfo info = primary.Info;
        try
        {
            using PlaneMemory memory = primary.BeginCpuRead();
            ReadOnlySpan<byte> bytes = memory.Bytes[..(int)Math.Min(info.Size, (uint)memory.Bytes.Length)];
            bool sameShape = _haveRaw && info.Fourcc == _rawInfo.Fourcc && info.Modifier == _rawInfo.Modifier &&
                info.Width == _rawInfo.Width && info.Height == _rawInfo.Height && info.Stride == _rawInfo.Stride;
            if (sameShape && bytes.Length == _rawLength && SampledEqual(bytes, _raw.AsSpan(0, _rawLength), (int)info.Stride))
            {
                return true;
            }

            if (_raw.Length < bytes.Length)
            {
                _raw = GC.AllocateUninitializedArray<byte>(bytes.Length);
            }

            bytes.CopyTo(_raw);
            _rawLength = bytes.Length;
            _compositor.DrawPrimary(info, bytes, keepAlpha: false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            string message = $"{Name}: {info.Plane.Name()} plane {info.FormatName} {info.Width}x{info.Height}: {e.Message}";
            if (message != _reportedProblem)
            {
                _reportedProblem = message;
                _log.Line($"{message}; the last picture stays");
            }

            return false;
        }

        _rawInfo = info;
        _haveRaw = true;
        _reportedProblem = null;
        changed = true;
        return true;
    }

    private int _rawLength;
    private int _phase;

    /// <summary>Rows looked at per tick: one in this many, a different one each tick.</summary>
    internal const int SampleRows = 8;

    // Compares one row in eight of the plane's bytes (stride-long chunks, which for a tiled plane
    // are parts of tile rows), starting one row further each tick, as x11vnc polls scanlines:
    // an idle guest costs an eighth of a full compare. A change eight rows tall or more (a line
    // of text) is seen on the next tick; a thinner one within eight ticks. Any difference found
    // reads the whole plane anew.
    private bool SampledEqual(ReadOnlySpan<byte> now, ReadOnlySpan<byte> last, int stride)
    {
        _phase = (_phase + 1) % SampleRows;
        if (stride <= 0)
        {
            return now.SequenceEqual(last);
        }

        for (long offset = (long)_phase * stride; offset < now.Length; offset += (long)stride * SampleRows)
        {
            int length = (int)Math.Min(stride, now.Length - offset);
            if (!now.Slice((int)offset, length).SequenceEqual(last.Slice((int)offset, length)))
            {
                return false;
            }
        }

        return true;
    }

    // The cursor goes to clients as its own picture and position, shown by the rule every
    // compositor follows (Frame.DrawsCursor).
    private void ReadCursor(Frame frame, out bool shape, out bool moved)
    {
        shape = moved = false;
        PlaneState cursor = frame.Cursor;
        if (!frame.DrawsCursor)
        {
            shape = _cursorShown;
            _cursorShown = false;
            return;
        }

        PlaneInfo info = cursor.Info;
        try
        {
            using PlaneMemory memory = cursor.BeginCpuRead();
            ReadOnlySpan<byte> bytes = memory.Bytes[..(int)Math.Min(info.Size, (uint)memory.Bytes.Length)];
            bool same = _cursorShown && info.Width == _cursorInfo.Width && info.Height == _cursorInfo.Height &&
                info.Fourcc == _cursorInfo.Fourcc && info.Stride == _cursorInfo.Stride && info.Modifier == _cursorInfo.Modifier &&
                bytes.Length <= _cursorRaw.Length && bytes.SequenceEqual(_cursorRaw.AsSpan(0, bytes.Length));
            if (!same)
            {
                if (_cursorRaw.Length < bytes.Length)
                {
                    _cursorRaw = new byte[bytes.Length];
                }

                bytes.CopyTo(_cursorRaw);
                _cursorPixels = EnsureArray(_cursorPixels, (int)info.Width * (int)info.Height * 4);
                CpuCompositor.CursorToRgba(info, bytes, _cursorPixels);
                shape = true;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
        {
            string message = $"{Name}: {cursor.Plane.Name()} plane: {e.Message}";
            if (message != _reportedProblem)
            {
                _reportedProblem = message;
                _log.Line($"{message}; the cursor is left out");
            }

            return;
        }

        moved = !shape && (info.X != _cursorInfo.X || info.Y != _cursorInfo.Y || info.HotX != _cursorInfo.HotX || info.HotY != _cursorInfo.HotY);
        _cursorInfo = info;
        _cursorShown = true;
    }

    private byte[] _cursorPixels = [];

    private static byte[] EnsureArray(byte[] array, int length) => array.Length >= length ? array : new byte[length];

    private void Publish(bool primaryChanged, bool cursorShape, bool cursorMoved)
    {
        ScreenFrame previous = _current;
        ScreenFrame next = TakeFree();
        long staleVersion = next.Version;
        long staleSize = next.SizeVersion;
        next.CopyStateFrom(previous);
        long version = previous.Version + 1;
        next.Version = version;
        next.Message = null;
        int tiles = next.TilesAcross * next.TilesDown;
        bool resized = previous.Width != _compositor.Width || previous.Height != _compositor.Height;
        if (resized)
        {
            next.Resize(_compositor.Width, _compositor.Height);
            tiles = next.TilesAcross * next.TilesDown;
            next.SizeVersion = version;
            next.TileVersion.AsSpan(0, tiles).Fill(version);
            next.ComposedTileVersion.AsSpan(0, tiles).Fill(version);
            _compositor.Screen.CopyTo(next.Rgba);
        }
        else
        {
            // Bring the pooled frame up to the previous one: only the tiles changed since it was current.
            if (staleSize == previous.SizeVersion && staleVersion < previous.Version)
            {
                CopyTiles(previous, next, previous.TileVersion, staleVersion, tiles);
            }
            else
            {
                previous.Rgba.AsSpan(0, previous.Stride * previous.Height).CopyTo(next.Rgba);
            }

            if (primaryChanged)
            {
                if (_changed.Length < tiles)
                {
                    _changed = new bool[tiles];
                }

                TileDamage.Compare(_compositor.Screen, previous.Rgba, next.Width, next.Height, next.Stride, _changed);
                for (int t = 0; t < tiles; t++)
                {
                    if (_changed[t])
                    {
                        next.TileVersion[t] = version;
                        next.ComposedTileVersion[t] = version;
                        CopyTile(_compositor.Screen, next.Rgba, next, t);
                    }
                }
            }
        }

        if (cursorShape || cursorMoved || resized)
        {
            // The composed picture changes where the cursor was and where it is now.
            MarkCursor(next, previous, version);
            next.CursorShown = _cursorShown;
            next.CursorX = _cursorInfo.X;
            next.CursorY = _cursorInfo.Y;
            next.HotX = _cursorInfo.HasHotspot ? (int)Math.Min(_cursorInfo.HotX, _cursorInfo.Width - 1) : 0;
            next.HotY = _cursorInfo.HasHotspot ? (int)Math.Min(_cursorInfo.HotY, _cursorInfo.Height - 1) : 0;
            if (cursorShape || resized)
            {
                int w = _cursorShown ? (int)_cursorInfo.Width : 0;
                int h = _cursorShown ? (int)_cursorInfo.Height : 0;
                next.ResizeCursor(w, h);
                _cursorPixels.AsSpan(0, w * h * 4).CopyTo(next.CursorRgba);
                next.CursorShapeVersion = version;
            }

            next.CursorMoveVersion = version;
            MarkCursor(next, next, version);
        }

        Swap(next);
    }

    // Shows the last picture dimmed with a message (display disabled, device gone).
    private void PublishMessage(string message)
    {
        ScreenFrame previous = _current;
        ScreenFrame next = TakeFree();
        next.CopyStateFrom(previous);
        previous.Rgba.AsSpan(0, previous.Stride * previous.Height).CopyTo(next.Rgba);
        long version = previous.Version + 1;
        next.Version = version;
        next.Message = message;
        int tiles = next.TilesAcross * next.TilesDown;
        next.TileVersion.AsSpan(0, tiles).Fill(version);
        next.ComposedTileVersion.AsSpan(0, tiles).Fill(version);
        next.CursorShown = false;
        next.CursorShapeVersion = version;
        _cursorShown = false;
        _overlay.Draw(next, dim: true);
        Swap(next);
    }

    private void Swap(ScreenFrame next)
    {
        lock (_gate)
        {
            _current = next;
        }

        Published?.Invoke();
    }

    private ScreenFrame TakeFree()
    {
        lock (_gate)
        {
            foreach (ScreenFrame frame in _pool)
            {
                if (!frame.InUse && !ReferenceEquals(frame, _current))
                {
                    return frame;
                }
            }

            var created = new ScreenFrame();
            _pool.Add(created);
            return created;
        }
    }

    public void Dispose() => _source.Dispose();
}
