// view's options as the command line gives them, and their check and translation into what the window is asked for.
using VgpuView.Viewer.Window;

namespace VgpuView.Viewer.Commands;

internal sealed class ViewOptions
{
    /// <summary>The largest --zoom.</summary>
    public const int MaxZoom = ViewLayout.MaxZoom;

    public required string Device { get; init; }

    /// <summary>fit, fill or 1:1; null is fit.</summary>
    public string? Scale { get; init; }

    /// <summary>Integer zoom of --scale 1:1.</summary>
    public int Zoom { get; init; } = 1;

    /// <summary>Most frames per second; 0 leaves the pace to vsync alone; null: see <see cref="FramePacing.Cap"/>.</summary>
    public int? Fps { get; init; }

    public bool NoVsync { get; init; }

    /// <summary>Stop after this many frames (tests, benchmarks); null runs until closed.</summary>
    public long? Frames { get; init; }

    public string ScreenshotDirectory { get; init; } = ".";

    /// <summary>The window's first size in screen coordinates; null takes the guest's mode (within the screen).</summary>
    public (int Width, int Height)? Size { get; init; }

    public bool NoImport { get; init; }

    public bool Hud { get; init; }

    public bool NoCursor { get; init; }

    public int CacheSize { get; init; } = 8;

    /// <summary>auto, egl or glx; null is auto.</summary>
    public string? Context { get; init; }

    /// <summary>What the window is asked for; refuses a --scale or --context it does not know (UsageException, exit 2).</summary>
    internal ViewSettings ToSettings() => new()
    {
        Scale = Scale switch
        {
            "fit" or null => ScaleMode.Fit,
            "fill" => ScaleMode.Fill,
            "1:1" => ScaleMode.OneToOne,
            string other => throw new UsageException($"--scale must be fit, fill or 1:1, not '{other}'"),
        },
        Zoom = Zoom,
        Fps = Fps,
        NoVsync = NoVsync,
        Frames = Frames,
        ScreenshotDirectory = ScreenshotDirectory,
        Size = Size,
        NoImport = NoImport,
        Hud = Hud,
        NoCursor = NoCursor,
        CacheSize = CacheSize,
        Context = Context switch
        {
            "auto" or null => WindowContext.Auto,
            "egl" => WindowContext.Egl,
            "glx" => WindowContext.Glx,
            string other => throw new UsageException($"--context must be auto, egl or glx, not '{other}'"),
        },
    };
}
