// view's options as the command line gives them, and their check and translation into what the window is asked for.
using VgpuView.Viewer.Window;

namespace VgpuView.Viewer.Commands;

/// <summary>
/// The device, the two options given as words (--scale, --context), and everything else as the
/// window takes it: <see cref="ToSettings"/> only turns the words into the window's values.
/// </summary>
internal sealed class ViewOptions
{
    /// <summary>The largest --zoom.</summary>
    public const int MaxZoom = ViewLayout.MaxZoom;

    public required string Device { get; init; }

    /// <summary>fit, fill or 1:1; null is fit.</summary>
    public string? Scale { get; init; }

    /// <summary>auto, egl or glx; null is auto.</summary>
    public string? Context { get; init; }

    /// <summary>The other options, already in the window's terms (zoom, pace, size, what it shows).</summary>
    public ViewSettings Window { get; init; } = new();

    /// <summary>What the window is asked for; refuses a --scale or --context it does not know (UsageException, exit 2).</summary>
    internal ViewSettings ToSettings() => Window with
    {
        Scale = Scale switch
        {
            "fit" or null => ScaleMode.Fit,
            "fill" => ScaleMode.Fill,
            "1:1" => ScaleMode.OneToOne,
            string other => throw new UsageException($"--scale must be fit, fill or 1:1, not '{other}'"),
        },
        Context = Context switch
        {
            "auto" or null => WindowContext.Auto,
            "egl" => WindowContext.Egl,
            "glx" => WindowContext.Glx,
            string other => throw new UsageException($"--context must be auto, egl or glx, not '{other}'"),
        },
    };
}
