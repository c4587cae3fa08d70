// The HUD's lines: the primary plane's format, size and buffer, the dma-buf cache, the frame rate, the scaling and the cursor.
using System.Globalization;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Window;

/// <summary>
/// Writes the HUD into one reused buffer, so showing it allocates nothing per frame. Text past
/// the buffer's end (<see cref="Overlay.MaxColumns"/> by 12 lines) is cut off.
/// </summary>
internal sealed class HudText
{
    private readonly char[] _buffer = new char[Overlay.MaxColumns * 12];
    private int _length;

    /// <summary>
    /// The HUD for <paramref name="frame"/>, drawn through <paramref name="primaryPath"/> ("dma-buf
    /// import" or "upload"), at <paramref name="fps"/> after <paramref name="frames"/> frames, with
    /// the scaling and cursor switch of <paramref name="controls"/>. Valid until the next call.
    /// </summary>
    public ReadOnlySpan<char> Build(Frame frame, string primaryPath, CacheCounters cache, double fps, long frames, ViewControls controls)
    {
        _length = 0;
        PlaneState primary = frame.Primary;
        PlaneState cursor = frame.Cursor;
        PlaneInfo p = primary.Info;
        if (primary.IsShown)
        {
            Text("format ").Fourcc(p.Fourcc).Text("  modifier ").Text(DrmModifier.ToText(p.Modifier)).Line();
            Text("size ").Number(p.Width).Text("x").Number(p.Height).Text("  stride ").Number(p.Stride).Line();
            Text(p.Kind == PlaneBufferKind.DmaBuf ? "dmabuf id " : "region ").Number(p.Id).Text("  ").Text(primaryPath).Line();
        }
        else
        {
            Text("primary plane: ").Text(primary.Status == PlaneStatus.Disabled ? "disabled" : "not shown").Line();
        }

        Text("cache hits ").Number(cache.Hits).Text(" misses ").Number(cache.Misses).Text(" evictions ").Number(cache.Evictions).Text(" fds ").Number(cache.OpenFds).Line();
        Text("fps ").Fixed(fps).Text("  frame ").Number(frames).Text("  scale ").Text(ScaleName(controls.Scale));
        if (controls.Scale == ScaleMode.OneToOne)
        {
            Text(" x").Number(controls.Zoom);
        }

        Line();
        if (!controls.ShowCursor)
        {
            Text("cursor off");
        }
        else if (frame.DrawsCursor)
        {
            PlaneInfo k = cursor.Info;
            Text("cursor ").Number(k.X).Text(",").Number(k.Y).Text(" hotspot ");
            if (k.HasHotspot)
            {
                Number(k.HotX).Text(",").Number(k.HotY);
            }
            else
            {
                Text("none");
            }
        }
        else
        {
            // A cursor the checks refused keeps its last good buffer but is not drawn (Frame.DrawsCursor).
            Text(cursor.Status == PlaneStatus.Invalid ? "cursor refused" : "cursor none");
        }

        return _buffer.AsSpan(0, _length);
    }

    private static string ScaleName(ScaleMode mode) => mode switch
    {
        ScaleMode.Fill => "fill",
        ScaleMode.OneToOne => "1:1",
        _ => "fit",
    };

    private HudText Text(ReadOnlySpan<char> text)
    {
        int n = Math.Min(text.Length, _buffer.Length - _length);
        text[..n].CopyTo(_buffer.AsSpan(_length));
        _length += n;
        return this;
    }

    private HudText Fourcc(uint fourcc)
    {
        for (int i = 0; i < 4 && _length < _buffer.Length; i++)
        {
            char ch = (char)((fourcc >> (8 * i)) & 0xFF);
            _buffer[_length++] = ch is >= ' ' and <= '~' ? ch : '?';
        }

        return this;
    }

    private HudText Number(long value)
    {
        if (value.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture))
        {
            _length += written;
        }

        return this;
    }

    private HudText Fixed(double value)
    {
        if (value.TryFormat(_buffer.AsSpan(_length), out int written, "F1", CultureInfo.InvariantCulture))
        {
            _length += written;
        }

        return this;
    }

    private HudText Line()
    {
        if (_length < _buffer.Length)
        {
            _buffer[_length++] = '\n';
        }

        return this;
    }
}
