using System.Diagnostics;
using System.Globalization;
using VgpuView.Viewer.Rendering;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Viewer.Commands;

/// <summary>
/// `vgpuview capture`: the guest's screen to PNG on the CPU, exactly as the guest drew it
/// (converted to RGBA8, tiling undone, cursor blended), one frame or a series.
/// </summary>
internal sealed class CaptureHandler(CommandContext context)
{
    // --raw saves the plane's bytes as the CPU reads them, which --gpu does not change.
    private const string GpuRawAdvice = "--raw saves the plane's bytes, which needs the CPU to read them even with --gpu: capture with --gpu but without --raw";

    /// <summary>
    /// How long transient errors (ENOMEM, EAGAIN, EINTR) are retried before a capture gives up
    /// when no --wait-enabled is given: mbochs fails the first query after each mode change.
    /// </summary>
    private static readonly TimeSpan s_transientGrace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(30);

    private readonly CpuCompositor _compositor = new();
    private readonly PngWriter _png = new();
    private readonly RawCapture _raw = new();
    private GpuCompositor? _gpu;
    private byte[] _gpuPixels = [];
    private byte[] _previous = [];
    private int _previousLength = -1;
    private bool _cursorWarned;
    private HashSet<string>? _written;

    public int Run(CaptureOptions options)
    {
        bool toStdout = options.Output == "-";
        options.Check(toStdout);

        // Without {n} a series' names can repeat: {id} when the guest shows a buffer again,
        // {time} within one millisecond. The names written so far catch that before an overwrite.
        _written = options.Count > 1 && !options.Output.Contains("{n}", StringComparison.Ordinal) ? new HashSet<string>(StringComparer.Ordinal) : null;

        using VgpuDevice device = context.Opener.Open(options.Device);
        using var source = new FrameSource(device, options.CacheSize);

        // The renderer's log says once which path (import or upload) each plane takes, so a
        // failed GPU capture shows what it tried.
        using GpuCompositor? gpu = _gpu = options.Gpu ? new GpuCompositor(new PrefixWriter(context.Error, "vgpuview: ")) : null;
        if (!source.Support.Any)
        {
            context.Error.WriteLine($"vgpuview: {device.Name}: the device exports no display (neither dma-buf nor region planes answer the probe)");
            return ExitCodes.DeviceFailure;
        }

        var frame = new Frame();
        CancellationToken stop = context.Cancellation;
        bool progress = context.ErrorIsTerminal && options.Count > 1;
        int captured = 0;
        var waitStart = Stopwatch.StartNew();
        TimeSpan wait = TimeSpan.FromSeconds(options.WaitEnabledSeconds);

        while (captured < options.Count)
        {
            if (stop.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            FrameStatus status = source.Next(frame);
            PlaneState primary = frame.Primary;
            if (status == FrameStatus.DeviceGone)
            {
                context.Error.WriteLine($"vgpuview: {primary.Message ?? frame.Cursor.Message ?? device.Name + ": device gone"}");
                return ExitCodes.DeviceFailure;
            }

            if (primary.Status != PlaneStatus.Enabled)
            {
                TimeSpan limit = primary.Status == PlaneStatus.Transient ? Max(wait, s_transientGrace) : wait;
                if (waitStart.Elapsed >= limit)
                {
                    context.Error.WriteLine($"vgpuview: {NotShownReason(device, primary, options)}");
                    return ExitCodes.DeviceFailure;
                }

                if (stop.WaitHandle.WaitOne(s_poll))
                {
                    return ExitCodes.Interrupted;
                }

                continue;
            }

            bool changed = Compose(source, frame, options);
            // A signal during a long conversion: nothing is written, and the exit says interrupted.
            if (stop.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            if (!options.OnChange || changed || captured == 0)
            {
                string? path = toStdout ? null : ExpandName(options.Output, captured, primary.Info.Id);
                if (path is not null && _written is not null && !_written.Add(path))
                {
                    context.Error.WriteLine(
                        $"vgpuview: capture {captured + 1} of {options.Count} would overwrite '{path}', which this series already wrote " +
                        "({id} repeats when the device shows a buffer again, {time} has millisecond resolution): put {n} in the name");
                    return ExitCodes.DeviceFailure;
                }

                Write(device, frame, options, path);
                captured++;
                if (progress)
                {
                    context.Error.Write($"\rcaptured {captured}/{options.Count}");
                }
            }

            if (captured < options.Count && options.IntervalMs > 0 && stop.WaitHandle.WaitOne(options.IntervalMs))
            {
                return ExitCodes.Interrupted;
            }

            waitStart.Restart();
        }

        if (progress)
        {
            context.Error.WriteLine();
        }

        return ExitCodes.Success;
    }

    private static string NotShownReason(VgpuDevice device, PlaneState primary, CaptureOptions options) => primary.Status switch
    {
        PlaneStatus.Disabled => $"{device.Name}: " + (options.WaitEnabledSeconds > 0
            ? $"the guest did not enable its display within {options.WaitEnabledSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : "the guest has not enabled its display (the primary plane is disabled); --wait-enabled SECONDS waits for it"),
        PlaneStatus.Transient => $"{device.Name}: the primary plane kept failing with {Errno.Name(primary.Errno)}",
        _ => primary.Message ?? $"{device.Name}: the primary plane is not usable",
    };

    /// <summary>The composed screen: RGBA8, rows of <see cref="Width"/> * 4 bytes.</summary>
    private ReadOnlySpan<byte> Screen => _gpu is null ? _compositor.Screen : _gpuPixels.AsSpan(0, Width * Height * 4);

    private int Width => _gpu?.Width ?? _compositor.Width;

    private int Height => _gpu?.Height ?? _compositor.Height;

    /// <summary>Composes the frame on the CPU or through GL; returns whether it differs from the last capture.</summary>
    private bool Compose(FrameSource source, Frame frame, CaptureOptions options)
    {
        PlaneState primary = frame.Primary;
        WarnRefusedCursor(frame.Cursor, options);
        if (_gpu is not null)
        {
            if (options.Raw)
            {
                KeepRaw(source.Device, frame, options);
            }

            _gpu.Render(source, frame, drawCursor: !options.NoCursor);
            int bytes = _gpu.Width * _gpu.Height * 4;
            if (_gpuPixels.Length < bytes)
            {
                _gpuPixels = GC.AllocateUninitializedArray<byte>(bytes);
            }

            _gpu.ReadPixels(_gpuPixels.AsSpan(0, bytes));
        }
        else
        {
            ComposeOnCpu(source.Device, frame, options);
        }

        // A new buffer or mode counts as a change even when the pixels happen to be the same.
        bool changed = (primary.Events & (PlaneEvents.Enabled | PlaneEvents.Changed)) != 0;
        ReadOnlySpan<byte> screen = Screen;
        if (_previousLength != screen.Length || !screen.SequenceEqual(_previous.AsSpan(0, screen.Length)))
        {
            changed = true;
            if (_previous.Length < screen.Length)
            {
                _previous = GC.AllocateUninitializedArray<byte>(screen.Length);
            }

            screen.CopyTo(_previous);
            _previousLength = screen.Length;
        }

        return changed;
    }

    // A cursor plane the checks refuse (a 16384x16384 cursor, say) is left out of the picture,
    // as info and watch report it: said once on standard error, not dropped without a word.
    private void WarnRefusedCursor(PlaneState cursor, CaptureOptions options)
    {
        if (!options.NoCursor && cursor.Status == PlaneStatus.Invalid && !_cursorWarned)
        {
            _cursorWarned = true;
            context.Error.WriteLine($"vgpuview: {cursor.Message ?? "the cursor plane is invalid"}; captured without the cursor");
        }
    }

    // One CPU read of each plane: the picture and the --raw copy are the same frame.
    private void ComposeOnCpu(VgpuDevice device, Frame frame, CaptureOptions options)
    {
        try
        {
            _compositor.Compose(frame, withCursor: !options.NoCursor, options.KeepAlpha, options.Raw ? _raw : null);
        }
        catch (PlaneConversionException e)
        {
            throw PlaneFault(device, e.Plane, e.InnerException!);
        }
        catch (VfioException e) when (e.Operation == "mmap")
        {
            throw Unmappable(e, CpuAdvice(options));
        }
    }

    private static string CpuAdvice(CaptureOptions options) =>
        "use --gpu, which imports the dma-buf without mapping it" +
        (options.Raw ? ", and leave out --raw, which saves the bytes the CPU reads" : string.Empty);

    // The dma-buf cannot be mapped (the stock mbochs exports it read-only): what this command can do instead.
    private static VfioException Unmappable(VfioException e, string advice) => new(e.Errno, e.Operation, e.Path, $"{e.Message}: {advice}");

    // The GPU path reads the planes through GL; --raw still needs their bytes on the CPU, read
    // just before the GPU renders the same buffers, and before anything is written, so a dma-buf
    // the CPU cannot map fails the capture without leaving a PNG and no raw file.
    private void KeepRaw(VgpuDevice device, Frame frame, CaptureOptions options)
    {
        KeepRaw(device, frame.Primary);
        if (!options.NoCursor && frame.DrawsCursor)
        {
            KeepRaw(device, frame.Cursor);
        }
    }

    private void KeepRaw(VgpuDevice device, PlaneState plane)
    {
        try
        {
            using PlaneMemory memory = plane.BeginCpuRead();
            if (plane.Plane == PlaneType.Cursor)
            {
                _raw.KeepCursor(plane.Info, memory.Bytes);
            }
            else
            {
                _raw.KeepPrimary(plane.Info, memory.Bytes);
            }
        }
        catch (ArgumentException e)
        {
            throw PlaneFault(device, plane.Info, e);
        }
        catch (VfioException e) when (e.Operation == "mmap" && plane.DmaBuf is not null)
        {
            throw Unmappable(e, GpuRawAdvice);
        }
    }

    // The converter refuses a layout the device gave (Yf tiling, say): that is the device's
    // plane, not the command line, so exit 1 naming the device and the plane that failed.
    private static InvalidDataException PlaneFault(VgpuDevice device, in PlaneInfo plane, Exception e) => VfioPlanes.Planes.PlaneFault.Create(device.Name, plane, e);

    // path: the expanded file name, null for standard output.
    private void Write(VgpuDevice device, Frame frame, CaptureOptions options, string? path)
    {
        PlaneInfo p = frame.Primary.Info;
        PngOptions png = new()
        {
            Filter = options.Png.Filter,
            CompressionLevel = options.Png.CompressionLevel,
            Strategy = options.Png.Strategy,
            Text =
            [
                ("Software", "vgpuview"),
                ("Device", device.Name),
                ("Format", DrmFourcc.ToText(p.Fourcc)),
                ("Modifier", DrmModifier.ToHex(p.Modifier)),
                ("Size", $"{p.Width}x{p.Height}"),
                (p.Kind == PlaneBufferKind.DmaBuf ? "DmabufId" : "RegionIndex", p.Id.ToString(CultureInfo.InvariantCulture)),
            ],
        };

        if (path is null)
        {
            Stream stdout = context.OpenStandardOutput?.Invoke() ?? throw new InvalidOperationException("no standard output");
            using var buffered = new BufferedStream(stdout, 1 << 16);
            _png.Write(buffered, Screen, Width, Height, Width * 4, png);
            return;
        }

        // A signal while the PNG is written leaves no file (the temporary one is removed): exit 130.
        bool replaced = OutputFile.WriteUnlessCancelled(path, s => _png.Write(s, Screen, Width, Height, Width * 4, png), context.Cancellation);
        if (options.Raw)
        {
            _raw.Write(path);
        }

        // The path tells a script which file holds the capture. A FIFO or device (-o /dev/stdout)
        // was written into and names no file; printing there could land inside the PNG's stream.
        if (replaced)
        {
            context.Output.WriteLine(path);
        }
    }

    /// <summary>Fills {n} (capture index from 0), {id} (dmabuf id or region index) and {time} (UTC, sortable).</summary>
    internal static string ExpandName(string template, int index, uint id) => template
        .Replace("{n}", index.ToString(CultureInfo.InvariantCulture))
        .Replace("{id}", id.ToString(CultureInfo.InvariantCulture))
        .Replace("{time}", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
