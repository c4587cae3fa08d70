// The command line's commands: each command's options bound to its handler.
using System.CommandLine;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Png;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Window;

namespace VgpuView.Viewer.Cli;

internal static partial class ViewerCommandLine
{
    private static RootCommand BuildRoot(CommandContext context)
    {
        var root = new RootCommand(
            "vgpuview shows and captures the display of a mediated vGPU (an mdev or a VFIO device with a display), " +
            "without QEMU. 'sim' is a built-in simulated vGPU.")
        {
            ListCommand(context),
            InfoCommand(context),
            WatchCommand(context),
            CaptureCommand(context),
            ViewCommand(context),
            EdidCommand(context),
            ExpectCommand(context),
            DoctorCommand(context),
            ServeCommand(context),
        };
        return root;
    }

    private static Command ListCommand(CommandContext context)
    {
        var command = new Command("list", "List mdev parents and types, mdev devices and VFIO PCI devices") { s_json };
        command.SetAction(parse => new ListHandler(context).Run(parse.GetValue(s_json)));
        return command;
    }

    private static Command InfoCommand(CommandContext context)
    {
        var command = new Command("info", "Show a device's plane support, regions and both planes now") { s_device, s_json };
        command.SetAction(parse => new InfoHandler(context).Run(parse.GetValue(s_device)!, parse.GetValue(s_json)));
        return command;
    }

    private static Command WatchCommand(CommandContext context)
    {
        var command = new Command("watch", "Print one line per plane change (enabled, disabled, changed, moved)")
        {
            s_device, s_json, s_frames, s_interval, s_cacheSize,
        };
        command.SetAction(parse => new WatchHandler(context).Run(new WatchOptions
        {
            Device = parse.GetValue(s_device)!,
            Json = parse.GetValue(s_json),
            Frames = parse.GetValue(s_frames) is int n ? CheckRange(n, 1, int.MaxValue, "--frames") : null,
            IntervalMs = CheckRange(parse.GetValue(s_interval), 0, 60_000, "--interval"),
            CacheSize = CheckRange(parse.GetValue(s_cacheSize), 2, 256, "--cache-size"),
        }));
        return command;
    }

    private static Command CaptureCommand(CommandContext context)
    {
        var command = new Command("capture", "Capture the guest's screen to PNG on the CPU, exactly as the guest drew it")
        {
            s_device, s_output, s_count, s_captureInterval, s_onChange, s_waitEnabled, s_noCursor, s_keepAlpha, s_raw,
            s_filter, s_level, s_cacheSize, s_gpu,
        };
        command.SetAction(parse =>
        {
            double wait = parse.GetValue(s_waitEnabled);
            if (wait < 0 || double.IsNaN(wait) || wait > 86_400)
            {
                throw new UsageException($"--wait-enabled must be between 0 and 86400 seconds, not {wait}");
            }

            return new CaptureHandler(context).Run(new CaptureOptions
            {
                Device = parse.GetValue(s_device)!,
                Output = PathValue(parse.GetValue(s_output)!, "-o")!,
                Count = CheckRange(parse.GetValue(s_count), 1, int.MaxValue, "--count"),
                IntervalMs = CheckRange(parse.GetValue(s_captureInterval), 0, 3_600_000, "--interval"),
                OnChange = parse.GetValue(s_onChange),
                WaitEnabledSeconds = wait,
                NoCursor = parse.GetValue(s_noCursor),
                KeepAlpha = parse.GetValue(s_keepAlpha),
                Raw = parse.GetValue(s_raw),
                Png = new PngOptions
                {
                    Filter = parse.GetValue(s_filter),
                    CompressionLevel = CheckRange(parse.GetValue(s_level), 0, 9, "--level"),
                },
                CacheSize = CheckRange(parse.GetValue(s_cacheSize), 2, 256, "--cache-size"),
                Gpu = parse.GetValue(s_gpu),
            });
        });
        return command;
    }

    private static Command ViewCommand(CommandContext context)
    {
        var command = new Command(
            "view",
            "Show the guest's screen in a window. Keys: F12 or S screenshot, F fullscreen, C cursor, H HUD, " +
            "M next scaling (fit, fill, 1:1), + and - zoom 1:1, Q or Esc quit")
        {
            s_device, s_scale, s_zoom, s_fps, s_noVsync, s_frames, s_screenshotDir, s_size, s_hud, s_noCursor, s_noImport, s_context, s_cacheSize,
        };
        command.SetAction(parse => new ViewHandler(context).Run(new ViewOptions
        {
            Device = parse.GetValue(s_device)!,
            Scale = parse.GetValue(s_scale),
            Context = parse.GetValue(s_context),
            Window = new ViewSettings
            {
                Zoom = CheckRange(parse.GetValue(s_zoom), 1, ViewOptions.MaxZoom, "--zoom"),
                Fps = parse.GetValue(s_fps) is int fps ? CheckRange(fps, 0, 1000, "--fps") : null,
                NoVsync = parse.GetValue(s_noVsync),
                Frames = parse.GetValue(s_frames) is int n ? CheckRange(n, 1, int.MaxValue, "--frames") : null,
                ScreenshotDirectory = WritableDirectory(PathValue(parse.GetValue(s_screenshotDir)!, "--screenshot-dir")!, "--screenshot-dir"),
                Size = ParseSize(parse.GetValue(s_size)),
                Hud = parse.GetValue(s_hud),
                NoCursor = parse.GetValue(s_noCursor),
                NoImport = parse.GetValue(s_noImport),
                CacheSize = CheckRange(parse.GetValue(s_cacheSize), 2, 256, "--cache-size"),
            },
        }));
        return command;
    }

    private static Command EdidCommand(CommandContext context)
    {
        var command = new Command(
            "edid",
            "Show the EDID region, or set the monitor the guest sees: --mode WxH[@HZ] or --blob FILE writes an EDID and brings " +
            "the link up, as a VMM does; --link down|up only unplugs or replugs it")
        {
            s_device, s_edidMode, s_edidBlob, s_edidLink, s_json,
        };
        command.SetAction(parse => new EdidHandler(context).Run(new EdidOptions
        {
            Device = parse.GetValue(s_device)!,
            Mode = ParseMode(parse.GetValue(s_edidMode)),
            BlobFile = PathValue(parse.GetValue(s_edidBlob), "--blob"),
            Link = parse.GetValue(s_edidLink) switch
            {
                null => null,
                "up" => true,
                "down" => false,
                string other => throw new UsageException($"--link must be up or down, not '{other}'"),
            },
            Json = parse.GetValue(s_json),
        }));
        return command;
    }

    private static Command ExpectCommand(CommandContext context)
    {
        var command = new Command(
            "expect",
            "Wait until the guest's screen shows an expected picture (a PNG; its transparent pixels are not compared). " +
            "Exit 0 when it appears, 3 when the time runs out")
        {
            s_device, s_needle, s_at, s_area, s_tolerance, s_maxDiffering, s_timeout, s_expectInterval, s_noCursor, s_saveClosest, s_cacheSize,
        };
        command.SetAction(parse =>
        {
            double timeout = parse.GetValue(s_timeout);
            if (double.IsNaN(timeout) || timeout < 0 || timeout > 86_400)
            {
                throw new UsageException($"--timeout must be between 0 and 86400 seconds, not {timeout}");
            }

            (int x, int y) = ParseInts(parse.GetValue(s_at) ?? "0,0", 2, "--at", "X,Y, as in 100,40") switch { int[] v => (v[0], v[1]) };
            return new ExpectHandler(context).Run(new ExpectOptions
            {
                Device = parse.GetValue(s_device)!,
                NeedleFile = PathValue(parse.GetValue(s_needle)!, "the needle")!,
                AtX = CheckRange(x, 0, 16384, "--at X"),
                AtY = CheckRange(y, 0, 16384, "--at Y"),
                Areas = [.. (parse.GetValue(s_area) ?? []).Select(a => ParseInts(a, 4, "--area", "X,Y,WIDTH,HEIGHT, as in 0,0,200,50") switch { int[] v => new NeedleArea(v[0], v[1], v[2], v[3]) })],
                Tolerance = CheckRange(parse.GetValue(s_tolerance), 0, 255, "--tolerance"),
                MaxDiffering = CheckRange(parse.GetValue(s_maxDiffering), 0, int.MaxValue, "--max-differing"),
                TimeoutSeconds = timeout,
                IntervalMs = CheckRange(parse.GetValue(s_expectInterval), 10, 60_000, "--interval"),
                NoCursor = parse.GetValue(s_noCursor),
                SaveClosest = PathValue(parse.GetValue(s_saveClosest), "--save-closest"),
                CacheSize = CheckRange(parse.GetValue(s_cacheSize), 2, 256, "--cache-size"),
            });
        });
        return command;
    }

    private static Command DoctorCommand(CommandContext context)
    {
        var command = new Command("doctor", "Check the host, and a device when named, for what keeps it from giving a picture; exit 1 when a problem is found")
        {
            s_optionalDevice, s_json,
        };
        command.SetAction(parse => new DoctorHandler(context).Run(parse.GetValue(s_optionalDevice), parse.GetValue(s_json)));
        return command;
    }

    // A file or directory name as the user gave it; null when the option was not given. The file
    // APIs refuse an empty name with an ArgumentException, which would not read as the user's mistake.
    private static string? PathValue(string? text, string what) =>
        text is { Length: 0 } ? throw new UsageException($"{what} must be a path, not an empty string") : text;

    // Screenshots are written when a key is pressed, long after the window opened: a directory
    // that cannot hold them is refused now. One that does not exist yet is made at the first
    // screenshot, so the nearest part of the path that exists must be a directory we may write in.
    private static string WritableDirectory(string path, string option)
    {
        string? existing = Path.GetFullPath(path);
        while (existing is not null && !Path.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing);
        }

        if (existing is null || !Directory.Exists(existing))
        {
            throw new UsageException($"{option} '{path}' cannot be a directory: '{existing}' is a file");
        }

        if (!VfioPlanes.IO.PathAccess.Allows(existing, VfioPlanes.IO.PathRights.Write | VfioPlanes.IO.PathRights.Search, out int errno))
        {
            throw new UsageException($"{option} '{path}' is not writable: cannot create files in '{existing}' ({VfioPlanes.Errno.Name(errno)})");
        }

        return path;
    }

    // Comma-separated non-negative integers, exactly count of them.
    private static int[] ParseInts(string text, int count, string option, string form)
    {
        string[] parts = text.Split(',');
        int[] values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
            {
                values = [];
                break;
            }
        }

        return values.Length == count ? values : throw new UsageException($"{option} must be {form}, not '{text}'");
    }

    // WIDTHxHEIGHT, or WIDTHxHEIGHT@HZ.
    private static (int Width, int Height, int RefreshHz)? ParseMode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] at = text.Split('@');
        int refresh = 60;
        if (at.Length > 2 || (at.Length == 2 && !int.TryParse(at[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out refresh)))
        {
            throw new UsageException($"--mode must be WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, as in 1920x1080 or 1920x1080@60, not '{text}'");
        }

        string[] parts = at[0].Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int h))
        {
            throw new UsageException($"--mode must be WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, as in 1920x1080 or 1920x1080@60, not '{text}'");
        }

        return (w, h, refresh);
    }

    private static (int Width, int Height)? ParseSize(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int h))
        {
            throw new UsageException($"--size must be WIDTHxHEIGHT, as in 1280x720, not '{text}'");
        }

        return (CheckRange(w, 64, 16384, "--size width"), CheckRange(h, 48, 16384, "--size height"));
    }
}
