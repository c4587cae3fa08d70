// watch: one line (or JSON object) per plane event, frame after frame.
using System.Buffers;
using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Commands;

internal sealed class WatchOptions
{
    public required string Device { get; init; }

    public bool Json { get; init; }

    public int? Frames { get; init; }

    public int IntervalMs { get; init; } = 30;

    public int CacheSize { get; init; } = 8;
}

/// <summary>`vgpuview watch`: one line per plane change, until the frame count or Ctrl-C.</summary>
internal sealed class WatchHandler(CommandContext context)
{
    private readonly ArrayBufferWriter<byte> _jsonBuffer = new(512);

    public int Run(WatchOptions options)
    {
        using VgpuDevice device = context.Opener.Open(options.Device);
        using var source = new FrameSource(device, options.CacheSize);
        var frame = new Frame();
        CancellationToken stop = context.Cancellation;

        for (long n = 0; options.Frames is not int limit || n < limit; n++)
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }

            FrameStatus status = source.Next(frame);
            if (status == FrameStatus.DeviceGone)
            {
                int errno = frame.Primary.Errno != 0 ? frame.Primary.Errno : frame.Cursor.Errno;
                string removed = device.IsPresent() ? string.Empty : $": {device.PresencePath} was removed";
                context.Error.WriteLine($"vgpuview: {device.Name}: device gone ({Errno.Name(errno)}) at frame {frame.Number}{removed}");
                return ExitCodes.DeviceFailure;
            }

            Report(frame, frame.Primary, source);
            Report(frame, frame.Cursor, source);

            // A reader that left (watch | head -1) ends the watch even while nothing changes, as
            // a write would: a quiet guest must not keep it running unseen.
            if (context.OutputBroken())
            {
                throw new BrokenPipeException();
            }

            if (options.IntervalMs > 0 && stop.WaitHandle.WaitOne(options.IntervalMs))
            {
                break;
            }
        }

        context.Output.Flush();
        return ExitCodes.Success;

        void Report(Frame f, PlaneState plane, FrameSource s)
        {
            // FrameSource raises Failed once per distinct problem, so a device that keeps
            // answering badly is not a flood.
            if ((plane.Events & PlaneEvents.Failed) != 0 && plane.Message is not null)
            {
                context.Error.WriteLine($"vgpuview: frame {f.Number}: {plane.Message}");
            }

            PlaneEvents e = MainEvent(plane.Events);
            if (e == PlaneEvents.None)
            {
                return;
            }

            CacheCounters cache = s.Cache.Counters;
            if (options.Json)
            {
                WriteJson(f, plane, e, cache, s.Kind);
            }
            else
            {
                string what = e == PlaneEvents.Disabled ? string.Empty : " " + PlaneDescription.Describe(plane.Info);
                context.Output.WriteLine(
                    $"frame {f.Number} {plane.Plane.Name()} {EventName(e)}{what} " +
                    $"(cache hits {cache.Hits} misses {cache.Misses} evictions {cache.Evictions} open fds {cache.OpenFds})");
            }
        }
    }

    private void WriteJson(Frame f, PlaneState plane, PlaneEvents e, CacheCounters cache, PlaneBufferKind kind)
    {
        _jsonBuffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_jsonBuffer))
        {
            json.WriteStartObject();
            json.WriteNumber("frame", f.Number);
            json.WriteString("plane", plane.Plane.Name());
            json.WriteString("event", EventName(e));
            PlaneText.WriteFields(json, e == PlaneEvents.Disabled ? null : plane.Info, kind);
            json.WriteStartObject("cache");
            json.WriteNumber("hits", cache.Hits);
            json.WriteNumber("misses", cache.Misses);
            json.WriteNumber("evictions", cache.Evictions);
            json.WriteNumber("open_fds", cache.OpenFds);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Output.WriteLine(Encoding.UTF8.GetString(_jsonBuffer.WrittenSpan));
    }

    /// <summary>
    /// The one event a line reports: a plane that was enabled with a new buffer is "enabled", a
    /// new buffer at a new position is "changed".
    /// </summary>
    internal static PlaneEvents MainEvent(PlaneEvents events) =>
        (events & PlaneEvents.Enabled) != 0 ? PlaneEvents.Enabled :
        (events & PlaneEvents.Disabled) != 0 ? PlaneEvents.Disabled :
        (events & PlaneEvents.Changed) != 0 ? PlaneEvents.Changed :
        (events & PlaneEvents.Moved) != 0 ? PlaneEvents.Moved :
        PlaneEvents.None;

    private static string EventName(PlaneEvents e) => e switch
    {
        PlaneEvents.Enabled => "enabled",
        PlaneEvents.Disabled => "disabled",
        PlaneEvents.Changed => "changed",
        PlaneEvents.Moved => "moved",
        _ => "none",
    };
}
