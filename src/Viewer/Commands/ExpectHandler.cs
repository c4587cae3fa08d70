using System.Diagnostics;
using System.Globalization;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Viewer.Commands;

/// <summary>What `vgpuview expect` was asked to wait for.</summary>
internal sealed record ExpectOptions
{
    public required string Device { get; init; }

    public required string NeedleFile { get; init; }

    public int AtX { get; init; }

    public int AtY { get; init; }

    public IReadOnlyList<NeedleArea> Areas { get; init; } = [];

    public int Tolerance { get; init; }

    public long MaxDiffering { get; init; }

    public double TimeoutSeconds { get; init; } = 30;

    public int IntervalMs { get; init; } = 100;

    public bool NoCursor { get; init; }

    /// <summary>Where to save the screen that came closest, when the picture does not appear.</summary>
    public string? SaveClosest { get; init; }

    public int CacheSize { get; init; } = 8;
}

/// <summary>
/// `vgpuview expect`: waits until the guest's screen shows an expected picture. Each poll
/// composes the screen on the CPU as `capture` does and compares it with the needle; a disabled
/// display or a screen the needle does not fit on is waited through. Exit 0 when it appears, 3
/// when the time runs out (with the closest screen described, and saved when asked).
/// </summary>
internal sealed class ExpectHandler(CommandContext context)
{
    private readonly CpuCompositor _compositor = new();
    private byte[] _closest = [];
    private int _closestWidth;
    private int _closestHeight;
    private bool _cursorWarned;

    public int Run(ExpectOptions options)
    {
        if (options.SaveClosest is string savePath)
        {
            CheckSavePath(savePath);
        }

        PngImage image = LoadNeedle(options.NeedleFile, TimeSpan.FromSeconds(options.TimeoutSeconds));
        Needle needle;
        try
        {
            needle = new Needle(image.Rgba, image.Width, image.Height, options.AtX, options.AtY, options.Areas);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{options.NeedleFile}: {e.Message}");
        }

        if (needle.Cared == 0)
        {
            throw new UsageException($"{options.NeedleFile}: no pixel is compared: the needle is transparent wherever its areas are");
        }

        // Allowing every compared pixel to differ would accept any screen the needle fits on.
        if (options.MaxDiffering >= needle.Cared)
        {
            throw new UsageException($"--max-differing {options.MaxDiffering} would let all {needle.Cared} compared pixels of {options.NeedleFile} differ, so any screen would match: give less than {needle.Cared}");
        }

        using VgpuDevice device = context.Opener.Open(options.Device);
        using var source = new FrameSource(device, options.CacheSize);
        if (!source.Support.Any)
        {
            context.Error.WriteLine($"vgpuview: {device.Name}: the device exports no display (neither dma-buf nor region planes answer the probe)");
            return ExitCodes.DeviceFailure;
        }

        var frame = new Frame();
        var clock = Stopwatch.StartNew();
        TimeSpan timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        NeedleResult closest = default;
        long shown = 0;
        // What the last poll saw, made into words only if the time runs out: polling allocates nothing.
        LastSeen last = LastSeen.NeverEnabled;
        string? invalid = null;
        CancellationToken stop = context.Cancellation;
        while (true)
        {
            if (stop.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            FrameStatus status = source.Next(frame);
            if (status == FrameStatus.DeviceGone)
            {
                context.Error.WriteLine($"vgpuview: {frame.Primary.Message ?? frame.Cursor.Message ?? device.Name + ": device gone"}");
                return ExitCodes.DeviceFailure;
            }

            if (frame.Primary.Status == PlaneStatus.Enabled)
            {
                shown++;
                if (Compose(device, frame, options.NoCursor) is string failure)
                {
                    context.Error.WriteLine($"vgpuview: {failure}");
                    return ExitCodes.DeviceFailure;
                }

                NeedleResult r = needle.Compare(_compositor.Screen, _compositor.Width, _compositor.Height, _compositor.Stride, options.Tolerance);
                if (r.Matches(options.MaxDiffering))
                {
                    context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{options.NeedleFile} appeared on {device.Name} after {clock.Elapsed.TotalSeconds:F2} s ({r.Differing} of {r.Compared} compared pixels differ)"));
                    return ExitCodes.Success;
                }

                if (shown == 1 || Closer(r, closest))
                {
                    closest = r;
                    KeepClosest();
                }

                last = r.Fits ? LastSeen.Differs : LastSeen.TooSmall;
            }
            else if (frame.Primary.Status == PlaneStatus.Invalid)
            {
                last = LastSeen.Invalid;
                invalid = frame.Primary.Message;
            }
            else if (shown > 0)
            {
                last = LastSeen.Disabled;
            }

            if (clock.Elapsed >= timeout)
            {
                string state = last switch
                {
                    LastSeen.NeverEnabled => "the guest never enabled its display",
                    LastSeen.Disabled => $"the display is disabled now; {Describe(closest, needle, shown)}",
                    LastSeen.Invalid => $"{invalid ?? "the primary plane is invalid"}; {Describe(closest, needle, shown)}",
                    // One sentence when no screen ever fitted; when one did, how close it came is worth adding.
                    LastSeen.TooSmall when !closest.Fits => $"the screen is {_compositor.Width}x{_compositor.Height} and none shown was large enough for {NeedleAndNeed(needle)}",
                    LastSeen.TooSmall => $"the screen is now {_compositor.Width}x{_compositor.Height}, too small for {NeedleAndNeed(needle)}; {Describe(closest, needle, shown)}",
                    _ => Describe(closest, needle, shown),
                };
                return TimedOut(device, options, closest, state, shown);
            }

            if (stop.WaitHandle.WaitOne(options.IntervalMs))
            {
                return ExitCodes.Interrupted;
            }
        }
    }

    // The needle is read within --timeout too: a FIFO whose writer never comes is the picture
    // never appearing, so a script's timeout holds (the needle is named: exit 2, not 3).
    private PngImage LoadNeedle(string file, TimeSpan timeout)
    {
        try
        {
            return PngReader.ReadFileUnlessCancelled(file, "needle", context.Cancellation, timeout);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// Refuses a --save-closest path that could not be written, before the wait rather than after
    /// it: the screen is saved only when the time has run out, too late to learn of a typo. A
    /// file is created and removed in the directory because that is what saving does there.
    /// </summary>
    private static void CheckSavePath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"--save-closest needs a PNG file name, not '{path}'");
        }

        // The same check capture's -o gets, by the code that writes: a directory, a block device
        // or socket, a missing or read-only directory are refused now, not after the wait.
        try
        {
            OutputFile.CheckWritable(path);
        }
        catch (IOException e)
        {
            throw new UsageException($"--save-closest: {e.Message}", e);
        }
    }

    // Fitting beats not fitting; then fewer differing pixels.
    private static bool Closer(in NeedleResult r, in NeedleResult best) =>
        (r.Fits && !best.Fits) || (r.Fits == best.Fits && r.Differing < best.Differing);

    /// <summary>
    /// Composes the screen; null when it was, else why a plane could not be converted. The
    /// converter refuses a layout the device gave (an odd-width YUYV plane, Yf tiling): that is
    /// the device's plane, not the command line, so it is a device failure naming the plane.
    /// </summary>
    private string? Compose(VgpuDevice device, Frame frame, bool noCursor)
    {
        try
        {
            _compositor.Compose(frame, withCursor: !noCursor);
        }
        catch (PlaneConversionException e)
        {
            return $"{device.Name}: {e.Plane.Plane.Name()} plane {PlaneDescription.Describe(e.Plane)} cannot be converted: {e.Reason()}";
        }

        // A cursor the checks refuse is compared without, as capture saves without it: said once.
        PlaneState cursor = frame.Cursor;
        if (!noCursor && cursor.Status == PlaneStatus.Invalid && !_cursorWarned)
        {
            _cursorWarned = true;
            context.Error.WriteLine($"vgpuview: {cursor.Message ?? "the cursor plane is invalid"}; comparing without the cursor");
        }

        return null;
    }

    private void KeepClosest()
    {
        ReadOnlySpan<byte> screen = _compositor.Screen;
        if (_closest.Length < screen.Length)
        {
            _closest = new byte[screen.Length];
        }

        screen.CopyTo(_closest);
        _closestWidth = _compositor.Width;
        _closestHeight = _compositor.Height;
    }

    private enum LastSeen
    {
        NeverEnabled,
        Disabled,
        Invalid,
        TooSmall,
        Differs,
    }

    private static string Describe(in NeedleResult closest, Needle needle, long shown) =>
        shown == 0 ? "no screen was shown"
        : closest.Fits ? $"the closest screen differs in {closest.Differing} of {closest.Compared} compared pixels"
        : $"no screen was large enough for {NeedleAndNeed(needle)}";

    private static string NeedleAndNeed(Needle needle) =>
        $"the {needle.Width}x{needle.Height} needle at {needle.X},{needle.Y}, which needs at least {(long)needle.X + needle.Width}x{(long)needle.Y + needle.Height}";

    private int TimedOut(VgpuDevice device, ExpectOptions options, in NeedleResult closest, string state, long shown)
    {
        string detail = shown > 0 && closest.Fits && closest.FirstX >= 0
            ? $"; the first differing pixel is at {closest.FirstX},{closest.FirstY}: screen #{closest.ScreenRgb:X6}, needle #{closest.NeedleRgb:X6}"
            : string.Empty;
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vgpuview: {options.NeedleFile} did not appear on {device.Name} in {options.TimeoutSeconds:0.###} s: {state}{detail}"));
        if (options.SaveClosest is not string path)
        {
            return ExitCodes.NotMatched;
        }

        if (shown == 0)
        {
            context.Error.WriteLine($"vgpuview: nothing was saved to {path}: no screen was shown");
            return ExitCodes.NotMatched;
        }

        // The path was checked before the wait; should saving fail now (the directory removed,
        // the disk full), the answer is still that the picture did not appear.
        try
        {
            OutputFile.Write(path, s => new PngWriter().Write(s, _closest.AsSpan(0, _closestWidth * _closestHeight * 4), _closestWidth, _closestHeight, _closestWidth * 4, new PngOptions()));
            context.Error.WriteLine($"vgpuview: the closest screen is in {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"vgpuview: the closest screen was not saved: {e.Message}");
        }

        return ExitCodes.NotMatched;
    }
}
