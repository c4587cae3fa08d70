// What a view window is asked for: its first scaling and size, its pace, its context, and what it shows.
namespace VgpuView.Viewer.Window;

internal sealed record ViewSettings
{
    public ScaleMode Scale { get; init; } = ScaleMode.Fit;

    /// <summary>Integer zoom of <see cref="ScaleMode.OneToOne"/>.</summary>
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

    public WindowContext Context { get; init; } = WindowContext.Auto;
}
