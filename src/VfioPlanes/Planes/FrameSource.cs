using VgpuView.VfioPlanes.Devices;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// Produces frames from a device: query primary and cursor, look each up in the dma-buf
/// cache or the region mappings, and say what changed. An unchanged frame costs two ioctls
/// and two cache lookups and allocates nothing. The device stays owned by the caller. Not
/// thread-safe: one thread calls Next and uses the frame it fills.
/// </summary>
public sealed class FrameSource : IDisposable
{
    private readonly PlaneQuery _query;
    private readonly RegionPlaneMapper _regions;
    private readonly PlaneState _primary = new(PlaneType.Primary);
    private readonly PlaneState _cursor = new(PlaneType.Cursor);
    private long _number;
    private long _nextPresenceCheck;

    /// <summary>How often the device's sysfs entry is looked at (a stat), in milliseconds.</summary>
    internal const int PresenceCheckIntervalMs = 250;
    private bool _disposed;

    public FrameSource(VgpuDevice device, int cacheCapacity = 8)
    {
        Device = device;
        _query = new PlaneQuery(device);
        Cache = new DmaBufCache(device, cacheCapacity);
        _regions = new RegionPlaneMapper(device);
    }

    public VgpuDevice Device { get; }

    /// <summary>The dma-buf cache; subscribe to its Evicted event to free what was made from an entry.</summary>
    public DmaBufCache Cache { get; }

    /// <summary>The kind of plane the device is asked for: dma-buf planes over region planes.</summary>
    public PlaneBufferKind Kind => _query.Kind;

    /// <summary>The probe result the planes are asked by.</summary>
    public PlaneSupport Support => Device.Probe();

    /// <summary>
    /// Queries both planes and fills <paramref name="frame"/>. Buffers referenced by the frame
    /// stay valid until the next call or Dispose.
    /// </summary>
    public FrameStatus Next(Frame frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        frame.Number = ++_number;

        FrameStatus status = DeviceRemoved() ? FrameStatus.DeviceGone : Update(_primary);
        if (status != FrameStatus.DeviceGone)
        {
            FrameStatus cursor = Update(_cursor);
            if (cursor != FrameStatus.Ok)
            {
                status = cursor;
            }
        }
        else
        {
            _cursor.Events = PlaneEvents.None;
        }

        frame.Primary.CopyFrom(_primary);
        frame.Cursor.CopyFrom(_cursor);
        frame.Status = status;
        return status;
    }

    // A removed mdev can go on answering every ioctl while its holder keeps it open (see
    // VgpuDevice.PresencePath), so its sysfs entry is looked at a few times a second.
    private bool DeviceRemoved()
    {
        if (Device.PresencePath is null || Environment.TickCount64 < _nextPresenceCheck)
        {
            return false;
        }

        _nextPresenceCheck = Environment.TickCount64 + PresenceCheckIntervalMs;
        if (Device.IsPresent())
        {
            return false;
        }

        string message = $"{Device.Name}: device gone: {Device.PresencePath} was removed";
        Keep(_primary, PlaneStatus.Gone, Errno.ENODEV, message);
        return true;
    }

    /// <summary>Releases the buffers held by the last frame, closes every cached fd and region mapping.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Show(_primary, default, null, null);
        Show(_cursor, default, null, null);
        Cache.Dispose();
        _regions.Dispose();
    }

    private FrameStatus Update(PlaneState state)
    {
        PlaneQueryResult answer = _query.Query(state.Plane);
        switch (answer.Status)
        {
            case PlaneStatus.Transient:
                return Keep(state, PlaneStatus.Transient, answer.Errno, null);

            case PlaneStatus.Gone:
                Keep(state, PlaneStatus.Gone, answer.Errno, answer.Message);
                return FrameStatus.DeviceGone;

            case PlaneStatus.Invalid:
                return Keep(state, PlaneStatus.Invalid, answer.Errno, answer.Message);

            case PlaneStatus.Disabled:
                state.Events = state.IsShown ? PlaneEvents.Disabled : PlaneEvents.None;
                Show(state, default, null, null);
                state.Status = PlaneStatus.Disabled;
                state.Errno = 0;
                state.Message = null;
                return FrameStatus.Ok;
        }

        PlaneInfo info = answer.Info;
        DmaBufEntry? entry = null;
        RegionMapping? region = null;
        if (info.Kind == PlaneBufferKind.DmaBuf)
        {
            // Acquire before the previous frame's entry is released, so an unchanged plane is a
            // pure hit and never a release-evict-refetch.
            if (!Cache.TryAcquire(info, out entry, out int errno))
            {
                return FetchFailed(state, errno);
            }
        }
        else
        {
            try
            {
                region = _regions.TryMap(info, out string? problem);
                if (region is null)
                {
                    return Keep(state, PlaneStatus.Invalid, 0, problem);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The errno mapper turns EACCES into UnauthorizedAccessException and keeps the
                // VfioException (and its errno) inside.
                int errno = (e as VfioException ?? e.InnerException as VfioException)?.Errno ?? 0;
                return FetchFailed(state, errno, $"{Device.Name}: {state.Plane.Name()} plane: {e.Message}");
            }
        }

        PlaneEvents events = PlaneEvents.None;
        PlaneInfo old = state.Info;
        if (!state.IsShown)
        {
            events = PlaneEvents.Enabled;
        }
        else if (!old.SameLayout(info))
        {
            events = PlaneEvents.Changed;
        }
        else if (old.X != info.X || old.Y != info.Y || old.HasHotspot != info.HasHotspot || old.HotX != info.HotX || old.HotY != info.HotY)
        {
            events = PlaneEvents.Moved;
        }

        Show(state, info, entry, region);
        state.Status = PlaneStatus.Enabled;
        state.Errno = 0;
        state.Message = null;
        state.Events = events;
        return FrameStatus.Ok;
    }

    private FrameStatus FetchFailed(PlaneState state, int errno, string? message = null)
    {
        if (Errno.IsTransient(errno))
        {
            return Keep(state, PlaneStatus.Transient, errno, null);
        }

        // A fetch that keeps failing with the same errno keeps its first message: no new string
        // every frame.
        if (message is null)
        {
            message = state.Status is PlaneStatus.Invalid or PlaneStatus.Gone && state.Errno == errno && state.FetchFailed
                ? state.Message
                : $"{Device.Name}: {state.Plane.Name()} plane: VFIO_DEVICE_GET_GFX_DMABUF failed: " +
                  $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})";
        }

        FrameStatus status;
        if (Errno.IsDeviceGone(errno))
        {
            Keep(state, PlaneStatus.Gone, errno, message);
            status = FrameStatus.DeviceGone;
        }
        else
        {
            status = Keep(state, PlaneStatus.Invalid, errno, message);
        }

        state.FetchFailed = true;
        return status;
    }

    // A failed answer: the buffer shown stays; the failure is reported (once as an event while it repeats).
    private static FrameStatus Keep(PlaneState state, PlaneStatus status, int errno, string? message)
    {
        bool repeat = state.Status == status && string.Equals(state.Message, message, StringComparison.Ordinal);
        state.Events = status == PlaneStatus.Invalid && !repeat ? PlaneEvents.Failed : PlaneEvents.None;
        state.Status = status;
        state.Errno = errno;
        state.Message = message;
        state.FetchFailed = false;
        return status == PlaneStatus.Transient ? FrameStatus.Retried : FrameStatus.Ok;
    }

    private void Show(PlaneState state, in PlaneInfo info, DmaBufEntry? entry, RegionMapping? region)
    {
        DmaBufEntry? previous = state.DmaBuf;
        state.Info = info;
        state.DmaBuf = entry;
        state.Region = region;
        if (previous is not null)
        {
            Cache.Release(previous);
        }
    }
}
