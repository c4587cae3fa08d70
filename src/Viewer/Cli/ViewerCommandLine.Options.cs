// The command line's arguments and options, each declared once with its description and default.
using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.Png;

using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Cli;

internal static partial class ViewerCommandLine
{
    private static readonly Argument<string> s_device = new("device")
    {
        Description = "The device: sim[:options], an mdev UUID, /sys/bus/mdev/devices/<uuid>, a PCI address " +
            "(0000:00:02.0), /dev/vfio/devices/vfioN, or fd:N (a VFIO device fd inherited from the parent)",
    };

    private static readonly Argument<string?> s_optionalDevice = new("device")
    {
        Description = "The device to check (any spec info takes, or the PCI address of a GPU not yet bound to vfio-pci); without it, the host alone",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<bool> s_json = new("--json")
    {
        Description = "Write JSON (one object per line for watch)",
    };

    private static readonly Option<int?> s_frames = new("--frames", "-n")
    {
        Description = "Stop after this many frames (default: run until interrupted)",
        CustomParser = r => OptionalWhole(r, "--frames"),
    };

    private static readonly Option<int> s_interval = new("--interval")
    {
        Description = "Milliseconds between frames (default 30, QEMU's display refresh)",
        DefaultValueFactory = _ => 30,
        CustomParser = r => Whole(r, "--interval"),
    };

    private static readonly Option<int> s_cacheSize = new("--cache-size")
    {
        Description = "dma-bufs kept open, shared by the primary and cursor planes (default 8)",
        DefaultValueFactory = _ => 8,
        CustomParser = r => Whole(r, "--cache-size"),
    };

    private static readonly Option<string> s_output = new("--output", "-o")
    {
        Description = "The PNG to write, or - for standard output; {n} (capture number from 0), {id} (dmabuf id) and {time} are filled in",
        Required = true,
    };

    private static readonly Option<int> s_count = new("--count")
    {
        Description = "How many captures to take (default 1)",
        DefaultValueFactory = _ => 1,
        CustomParser = r => Whole(r, "--count"),
    };

    private static readonly Option<int> s_captureInterval = new("--interval")
    {
        Description = "Milliseconds between captures of a series (default 1000)",
        DefaultValueFactory = _ => 1000,
        CustomParser = r => Whole(r, "--interval"),
    };

    private static readonly Option<bool> s_onChange = new("--on-change")
    {
        Description = "Capture only when the screen changed: a new buffer, a new mode, or new pixels",
    };

    private static readonly Option<double> s_waitEnabled = new("--wait-enabled")
    {
        Description = "Wait up to SECONDS for the guest to enable its display (default: take the display as it is now)",
        CustomParser = r => Seconds(r, "--wait-enabled"),
    };

    private static readonly Option<bool> s_noCursor = new("--no-cursor")
    {
        Description = "Leave the cursor plane out",
    };

    private static readonly Option<bool> s_keepAlpha = new("--keep-alpha")
    {
        Description = "Keep the primary plane's alpha (a monitor shows the primary opaque, and so does the PNG by default)",
    };

    private static readonly Option<bool> s_raw = new("--raw")
    {
        Description = "Also write FILE.raw (the plane bytes as the device laid them out) and FILE.json, which sim:replay=FILE.json plays",
    };

    private static readonly Option<PngFilter> s_filter = new("--filter")
    {
        Description = "PNG row filter: Up (default), Adaptive, None, Sub, Average, Paeth",
        DefaultValueFactory = _ => PngFilter.Up,
        CustomParser = ParseFilter,
    };

    private static readonly Option<int> s_level = new("--level")
    {
        Description = "zlib compression level 0-9 (default 2)",
        DefaultValueFactory = _ => 2,
        CustomParser = r => Whole(r, "--level"),
    };

    private static readonly Option<bool> s_gpu = new("--gpu")
    {
        Description = "Render through OpenGL (EGL dma-buf import where the driver offers it, else upload) and read the picture back",
    };

    private static readonly Option<string> s_scale = new("--scale")
    {
        Description = "How the guest's screen fills the window: fit (keep aspect, black bars; default), fill (stretch), or 1:1 (integer zoom with + and -)",
        DefaultValueFactory = _ => "fit",
    };

    private static readonly Option<int> s_zoom = new("--zoom")
    {
        Description = "Integer zoom of --scale 1:1 (default 1)",
        DefaultValueFactory = _ => 1,
        CustomParser = r => Whole(r, "--zoom"),
    };

    private static readonly Option<int?> s_fps = new("--fps")
    {
        Description = "Draw at most N frames per second; 0 leaves the pace to vsync (default: vsync paces at the display's refresh rate; with --no-vsync, at most that rate)",
        CustomParser = r => OptionalWhole(r, "--fps"),
    };

    private static readonly Option<bool> s_noVsync = new("--no-vsync")
    {
        Description = "Swap without waiting for the display's refresh (with --fps 0: as fast as the renderer goes)",
    };

    private static readonly Option<string> s_screenshotDir = new("--screenshot-dir")
    {
        Description = "Where F12 or S saves PNG screenshots (default: the current directory)",
        DefaultValueFactory = _ => ".",
    };

    private static readonly Option<string?> s_size = new("--size")
    {
        Description = "The window's first size WxH (default: the guest's mode)",
    };

    private static readonly Option<bool> s_hud = new("--hud")
    {
        Description = "Start with the HUD shown (H toggles it)",
    };

    private static readonly Option<string> s_context = new("--context")
    {
        Description = "How the window's GL ES context is made: auto (EGL, else GLX; default), egl, or glx (planes are then uploaded)",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<bool> s_noImport = new("--no-import")
    {
        Description = "Upload the planes every frame instead of importing their dma-bufs",
    };

    private static readonly Option<string?> s_edidMode = new("--mode")
    {
        Description = "Present a monitor whose preferred mode is WIDTHxHEIGHT[@HZ] (default 60 Hz): the guest's resolution",
    };

    private static readonly Option<string?> s_edidBlob = new("--blob")
    {
        Description = "Present the monitor this EDID file describes (128-byte blocks, valid checksum)",
    };

    private static readonly Option<string?> s_edidLink = new("--link")
    {
        Description = "Only set the link: down unplugs the monitor as the guest sees it, up plugs it back",
    };

    private static readonly Argument<string> s_needle = new("needle")
    {
        Description = "The expected picture: a PNG, compared where its alpha is not 0",
    };

    private static readonly Option<string?> s_at = new("--at")
    {
        Description = "Where the needle's top-left corner sits on the screen: X,Y (default 0,0)",
    };

    private static readonly Option<string[]> s_area = new("--area")
    {
        Description = "Compare only this rectangle of the needle: X,Y,WIDTH,HEIGHT (repeatable; default the whole needle)",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int> s_tolerance = new("--tolerance")
    {
        Description = "How far red, green and blue may each be from the needle's and still match (0-255, default 0: exact)",
        CustomParser = r => Whole(r, "--tolerance"),
    };

    private static readonly Option<int> s_maxDiffering = new("--max-differing")
    {
        Description = "How many compared pixels may differ and the picture still count as shown (default 0)",
        CustomParser = r => Whole(r, "--max-differing"),
    };

    private static readonly Option<double> s_timeout = new("--timeout")
    {
        Description = "Seconds to wait for the picture (default 30)",
        DefaultValueFactory = _ => 30,
        CustomParser = r => Seconds(r, "--timeout"),
    };

    private static readonly Option<int> s_expectInterval = new("--interval")
    {
        Description = "Milliseconds between looks at the screen (default 100)",
        DefaultValueFactory = _ => 100,
        CustomParser = r => Whole(r, "--interval"),
    };

    private static readonly Option<string?> s_saveClosest = new("--save-closest")
    {
        Description = "When the picture does not appear, save the screen that came closest to this PNG",
    };

    // By name only, in any case: the enum's own parsing would also take numbers ("--filter 5",
    // or 9, which no filter has) and name the .NET type in its error.
    private static PngFilter ParseFilter(ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        foreach (PngFilter filter in Enum.GetValues<PngFilter>())
        {
            if (string.Equals(filter.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return filter;
            }
        }

        result.AddError($"--filter must be one of up, adaptive, none, sub, average, paeth, not '{PrintableText.Of(text, 40)}'");
        return PngFilter.Up;
    }

    // Numbers are read here rather than by the option's own parsing, whose error names the .NET
    // type ("as expected type 'System.Nullable`1[System.Int32]'"): the message says what to give.
    private static int Whole(ArgumentResult result, string option) => OptionalWhole(result, option) ?? 0;

    private static int? OptionalWhole(ArgumentResult result, string option)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        bool digits = text.Length > 0 && text.TrimStart('-').Length > 0 && text.TrimStart('-').All(char.IsAsciiDigit);
        result.AddError(digits
            ? $"{option} takes a whole number from {int.MinValue} to {int.MaxValue}, not {PrintableText.Of(text, 40)}"
            : $"{option} takes a whole number, not '{PrintableText.Of(text, 40)}'");
        return null;
    }

    private static double Seconds(ArgumentResult result, string option)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }

        result.AddError($"{option} takes a number of seconds such as 30 or 0.5, not '{PrintableText.Of(text, 40)}'");
        return 0;
    }

    private static int CheckRange(int value, int min, int max, string option)
    {
        if (value < min || value > max)
        {
            throw new UsageException($"{option} must be between {min} and {max}, not {value}");
        }

        return value;
    }
}
