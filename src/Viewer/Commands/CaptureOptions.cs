// capture's options, and the checks of their combinations made before a device is opened.
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Viewer.Commands;

internal sealed class CaptureOptions
{
    public required string Device { get; init; }

    /// <summary>The PNG path, "-" for standard output; may hold {n}, {id} and {time}.</summary>
    public required string Output { get; init; }

    public int Count { get; init; } = 1;

    public int IntervalMs { get; init; } = 1000;

    public bool OnChange { get; init; }

    /// <summary>How long to wait for the guest to enable its display; 0 takes the display as it is now.</summary>
    public double WaitEnabledSeconds { get; init; }

    public bool NoCursor { get; init; }

    public bool KeepAlpha { get; init; }

    public bool Raw { get; init; }

    public PngOptions Png { get; init; } = PngOptions.Default;

    public int CacheSize { get; init; } = 8;

    /// <summary>Render through GL (dma-buf import where the driver offers it, else upload) and read back.</summary>
    public bool Gpu { get; init; }

    /// <summary>Refuses combinations that cannot work, before the device is opened (UsageException, exit 2).</summary>
    internal void Check(bool toStdout)
    {
        bool templated = HasPlaceholder(Output);
        if (toStdout && Count > 1)
        {
            throw new UsageException("-o - writes one PNG to standard output: --count must be 1");
        }

        if (toStdout && Raw)
        {
            throw new UsageException("--raw writes FILE.raw and FILE.json beside the PNG: give -o FILE.png, not -o -");
        }

        if (Raw && !toStdout)
        {
            // The raw files are named after the PNG without its extension: "-o x.raw" or "-o x.json"
            // would have the PNG overwritten by them.
            (string primary, string cursor, string json) = RawCapture.PathsFor(Output);
            string png = Path.GetFullPath(Output);
            if (png == primary || png == cursor || png == json)
            {
                throw new UsageException(
                    $"--raw writes {Path.GetFileName(primary)}, {Path.GetFileName(cursor)} and {Path.GetFileName(json)} beside the PNG, " +
                    $"so -o '{Output}' would be overwritten by one of them: give the PNG a name ending in .png");
            }

            if (Count > 1 && !HasPlaceholder(Path.GetFileNameWithoutExtension(Output)))
            {
                throw new UsageException(
                    $"--raw names its files after the PNG without its extension, so every capture of the series would write {Path.GetFileName(primary)}: " +
                    "put {n} before the extension");
            }
        }

        if (Gpu && KeepAlpha)
        {
            throw new UsageException("--keep-alpha is for CPU capture: the GPU path shows the primary plane opaque");
        }

        if (Count > 1 && !templated)
        {
            throw new UsageException($"--count {Count} would write every capture to '{Output}': put {{n}} (or {{id}} or {{time}}) in the name");
        }
    }

    private static bool HasPlaceholder(string name) =>
        name.Contains("{n}", StringComparison.Ordinal) || name.Contains("{id}", StringComparison.Ordinal) || name.Contains("{time}", StringComparison.Ordinal);
}
