namespace VgpuView.VfioPlanes.Planes;

/// <summary>How a call of <see cref="FrameSource.Next"/> went as a whole.</summary>
public enum FrameStatus
{
    /// <summary>Both planes were answered (each may still be disabled or invalid).</summary>
    Ok,

    /// <summary>A transient error (ENOMEM, EAGAIN, EINTR): the planes that hit it keep their last good state; ask again next frame.</summary>
    Retried,

    /// <summary>The device is gone (ENODEV, EIO, ENXIO): stop and report the plane's message.</summary>
    DeviceGone,
}

/// <summary>What happened to a plane since the previous frame.</summary>
[Flags]
public enum PlaneEvents
{
    None = 0,

    /// <summary>The plane shows a buffer and did not before.</summary>
    Enabled = 1 << 0,

    /// <summary>The plane showed a buffer and is now disabled.</summary>
    Disabled = 1 << 1,

    /// <summary>The plane shows another buffer (new id) or the same id laid out anew.</summary>
    Changed = 1 << 2,

    /// <summary>Same buffer and layout, new position or hotspot (the cursor moved).</summary>
    Moved = 1 << 3,

    /// <summary>The device's answer became unusable, or its problem changed (see <see cref="PlaneState.Message"/>).</summary>
    Failed = 1 << 4,
}

/// <summary>
/// One plane of a <see cref="Frame"/>. <see cref="Info"/> and the buffer are what to show: after
/// a transient or invalid answer they stay those of the last good answer, so the last good
/// frame stays on screen.
/// </summary>
public sealed class PlaneState
{
    internal PlaneState(PlaneType plane)
    {
        Plane = plane;
        Status = PlaneStatus.Disabled;
    }

    public PlaneType Plane { get; }

    /// <summary>How this frame's query of the plane went.</summary>
    public PlaneStatus Status { get; internal set; }

    /// <summary>The plane shown; default when <see cref="IsShown"/> is false.</summary>
    public PlaneInfo Info { get; internal set; }

    /// <summary>The dma-buf shown, for dma-buf planes. Valid until the next call of <see cref="FrameSource.Next"/>.</summary>
    public DmaBufEntry? DmaBuf { get; internal set; }

    /// <summary>The region mapping shown, for region planes.</summary>
    public RegionMapping? Region { get; internal set; }

    /// <summary>Whether there is a buffer to show.</summary>
    public bool IsShown => DmaBuf is not null || Region is not null;

    /// <summary>The errno of this frame's failure, 0 if none.</summary>
    public int Errno { get; internal set; }

    /// <summary>Why the plane is invalid or the device gone, naming device, plane and field; null otherwise.</summary>
    public string? Message { get; internal set; }

    // Message came from a failed VFIO_DEVICE_GET_GFX_DMABUF (with Errno), so a repeat of the same
    // failure reuses it.
    internal bool FetchFailed { get; set; }

    public PlaneEvents Events { get; internal set; }

    /// <summary>The shown buffer's bytes for the CPU (dma-buf synced, region mapped).</summary>
    public PlaneMemory BeginCpuRead()
    {
        if (DmaBuf is not null)
        {
            return DmaBuf.BeginCpuRead();
        }

        if (Region is not null)
        {
            return Region.BeginCpuRead(Info.Size);
        }

        throw new InvalidOperationException($"the {Plane.Name()} plane shows nothing");
    }

    internal void CopyFrom(PlaneState other)
    {
        Status = other.Status;
        Info = other.Info;
        DmaBuf = other.DmaBuf;
        Region = other.Region;
        Errno = other.Errno;
        Message = other.Message;
        Events = other.Events;
    }
}

/// <summary>
/// One frame: both planes and what changed. The caller owns it and passes the same object to
/// every <see cref="FrameSource.Next"/>, which fills it in place so the steady state allocates nothing.
/// </summary>
public sealed class Frame
{
    /// <summary>How many times Next has been called, this call included.</summary>
    public long Number { get; internal set; }

    public FrameStatus Status { get; internal set; }

    public PlaneState Primary { get; } = new(PlaneType.Primary);

    public PlaneState Cursor { get; } = new(PlaneType.Cursor);

    /// <summary>
    /// The one rule for whether a screen made of this frame shows the cursor: the cursor plane has
    /// a buffer and the device's newest answer about it was not refused. A transient failure keeps
    /// the last good cursor, as it keeps the last good primary: the guest did not hide its cursor,
    /// the query failed for a moment. A cursor the checks refuse is left out rather than drawn from
    /// the last good answer, whose shape and place the guest has since changed. Every compositor,
    /// on the CPU or the GPU, asks this, so their pictures agree on the cursor.
    /// </summary>
    public bool DrawsCursor => Cursor.IsShown && Cursor.Status is PlaneStatus.Enabled or PlaneStatus.Transient;

    /// <summary>Whether either plane has an event.</summary>
    public bool HasEvents => Primary.Events != PlaneEvents.None || Cursor.Events != PlaneEvents.None;

    public PlaneState this[PlaneType plane] => plane == PlaneType.Cursor ? Cursor : Primary;
}
