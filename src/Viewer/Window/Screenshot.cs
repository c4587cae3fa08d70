using System.Globalization;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Png;
using VgpuView.Viewer.Rendering;

namespace VgpuView.Viewer.Window;

/// <summary>
/// The window's screenshot key: the guest's screen at its own resolution through the CPU capture
/// path (the same CpuCompositor, PngWriter and OutputFile as `capture`), not the scaled window,
/// so a screenshot equals `capture` of the same frame. A dma-buf the CPU cannot map (the stock
/// mbochs') may still be on screen through import: then the renderer's offscreen target, which
/// holds the same frame at the guest's resolution with the same pixels, is read back instead.
/// </summary>
internal sealed class Screenshot(string directory, string deviceName)
{
    private readonly CpuCompositor _compositor = new();
    private readonly PngWriter _png = new();
    private byte[] _readBack = [];
    private int _count;

    /// <summary>
    /// Writes the frame's primary plane (and cursor, when <paramref name="withCursor"/> and the frame draws it) to a new
    /// PNG; returns its path. <paramref name="rendered"/> holds that frame as last drawn (null when
    /// it holds none): it is read when the CPU cannot map a plane, and <paramref name="readBackReason"/>
    /// then says why; otherwise it is null.
    /// </summary>
    public string Save(Frame frame, bool withCursor, GpuCompositor? rendered, out string? readBackReason)
    {
        PlaneState primary = frame.Primary;
        if (!primary.IsShown)
        {
            throw new InvalidOperationException("the guest's display is not enabled: there is nothing to save");
        }

        readBackReason = null;
        byte[]? readBack = null;
        int width = 0, height = 0;
        try
        {
            _compositor.Compose(frame, withCursor);
        }
        catch (VfioException e) when (e.Operation == "mmap" && rendered is { Width: > 0 } && rendered.Width == primary.Info.Width && rendered.Height == primary.Info.Height)
        {
            (width, height) = (rendered.Width, rendered.Height);
            if (_readBack.Length < width * height * 4)
            {
                _readBack = new byte[width * height * 4];
            }

            rendered.ReadPixels(_readBack.AsSpan(0, width * height * 4));
            readBack = _readBack;
            readBackReason = e.Message;
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
        OutputFile.Write(path, s =>
        {
            if (readBack is null)
            {
                _png.Write(s, _compositor.Screen, _compositor.Width, _compositor.Height, _compositor.Stride, options);
            }
            else
            {
                _png.Write(s, readBack.AsSpan(0, width * height * 4), width, height, width * 4, options);
            }
        });
        return path;
    }
}
