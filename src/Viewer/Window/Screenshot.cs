using System.Globalization;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Viewer.Window;

/// <summary>
/// The window's screenshot key: the guest's screen at its own resolution through the CPU capture
/// path (the same CpuCompositor, PngWriter and AtomicFile as `capture`), not the scaled window,
/// so a screenshot equals `capture` of the same frame.
/// </summary>
internal sealed class Screenshot(string directory, string deviceName)
{
    private readonly CpuCompositor _compositor = new();
    private readonly PngWriter _png = new();
    private int _count;

    /// <summary>Writes the frame's primary plane (and cursor, when <paramref name="withCursor"/>) to a new PNG; returns its path.</summary>
    public string Save(Frame frame, bool withCursor)
    {
        PlaneState primary = frame.Primary;
        if (!primary.IsShown)
        {
            throw new InvalidOperationException("the guest's display is not enabled: there is nothing to save");
        }

        using (PlaneMemory memory = primary.BeginCpuRead())
        {
            _compositor.DrawPrimary(primary.Info, memory.Bytes, keepAlpha: false);
        }

        PlaneState cursor = frame.Cursor;
        if (withCursor && cursor.Status == PlaneStatus.Enabled && cursor.IsShown)
        {
            using PlaneMemory memory = cursor.BeginCpuRead();
            _compositor.DrawCursor(cursor.Info, memory.Bytes);
        }

        PlaneInfo p = primary.Info;
        var options = new PngOptions
        {
            Text =
            [
                ("Software", "vgpuview"),
                ("Device", deviceName),
                ("Format", DrmFourcc.ToText(p.Fourcc)),
                ("Modifier", DrmModifier.ToHex(p.Modifier)),
                ("Size", $"{p.Width}x{p.Height}"),
            ],
        };

        Directory.CreateDirectory(directory);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        string path = Path.Combine(directory, $"vgpuview-{stamp}-{_count++}.png");
        AtomicFile.Write(path, s => _png.Write(s, _compositor.Screen, _compositor.Width, _compositor.Height, _compositor.Stride, options));
        return path;
    }
}
