using System.Runtime.CompilerServices;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>How one plane query turned out.</summary>
public enum PlaneStatus
{
    /// <summary>The plane is shown and its answer passed validation.</summary>
    Enabled,

    /// <summary>The guest shows nothing on this plane (or, for a cursor, the device has none).</summary>
    Disabled,

    /// <summary>ENOMEM, EAGAIN or EINTR: try again on the next frame.</summary>
    Transient,

    /// <summary>The device answered something unusable; <see cref="PlaneQueryResult.Message"/> says what.</summary>
    Invalid,

    /// <summary>ENODEV, EIO or ENXIO: the device was removed.</summary>
    Gone,
}

/// <summary>The outcome of one VFIO_DEVICE_QUERY_GFX_PLANE. A value type: the steady state allocates nothing.</summary>
public readonly struct PlaneQueryResult
{
    /// <summary>The answer for a device that exports no display: the plane is disabled.</summary>
    public static PlaneQueryResult NoDisplay => new(PlaneStatus.Disabled, default, 0, null);

    internal PlaneQueryResult(PlaneStatus status, in PlaneInfo info, int errno, string? message)
    {
        Status = status;
        Info = info;
        Errno = errno;
        Message = message;
    }

    public PlaneStatus Status { get; }

    /// <summary>The validated plane when <see cref="Status"/> is <see cref="PlaneStatus.Enabled"/>, else default.</summary>
    public PlaneInfo Info { get; }

    /// <summary>The errno of a failed ioctl, 0 otherwise.</summary>
    public int Errno { get; }

    /// <summary>Why the answer is unusable (Invalid) or the device is gone (Gone); null otherwise.</summary>
    public string? Message { get; }
}

/// <summary>
/// Queries the primary and cursor planes of a device and validates every answer, as
/// DESIGN.md lists: a bad answer becomes <see cref="PlaneStatus.Invalid"/> with a message
/// naming the device, the plane and the field, never an exception.
/// </summary>
public sealed class PlaneQuery
{
    /// <summary>Largest width or height accepted (i915 and the DRM core stop well below).</summary>
    public const uint MaxDimension = 16384;

    /// <summary>Largest cursor width or height accepted; GVT-g cursors are at most 256.</summary>
    public const uint MaxCursorDimension = 512;

    private readonly VgpuDevice _device;
    private readonly uint _kindFlag;
    private readonly PlaneBufferKind _kind;
    private PlaneInfo _lastPrimary;
    private bool _hasPrimary;
    private bool _primaryAsked;
    private Problem _primaryProblem;
    private Problem _cursorProblem;

    /// <summary>Probes the device (once, cached by the device) and picks dma-buf planes over region planes, as QEMU does.</summary>
    public PlaneQuery(VgpuDevice device)
    {
        _device = device;
        PlaneSupport support = device.Probe();
        if (support.DmaBuf)
        {
            _kindFlag = Interop.Vfio.VFIO_GFX_PLANE_TYPE_DMABUF;
            _kind = PlaneBufferKind.DmaBuf;
        }
        else if (support.Region)
        {
            _kindFlag = Interop.Vfio.VFIO_GFX_PLANE_TYPE_REGION;
            _kind = PlaneBufferKind.Region;
        }
        else
        {
            throw new VfioException(
                $"{device.Name}: the device has no display: VFIO_DEVICE_QUERY_GFX_PLANE probes answer neither DMABUF nor REGION " +
                "(is it a vGPU type with a display, and is the vendor driver's display support enabled?)");
        }
    }

    public VgpuDevice Device => _device;

    /// <summary>The kind of plane this query asks for.</summary>
    public PlaneBufferKind Kind => _kind;

    /// <summary>
    /// Asks the device for <paramref name="plane"/> and validates the answer. A cursor query
    /// compares against the last primary answer (querying the primary first if it was never asked),
    /// since mdpy answers a cursor query with its primary plane.
    /// </summary>
    public PlaneQueryResult Query(PlaneType plane)
    {
        if (plane == PlaneType.Primary)
        {
            _primaryAsked = true;
        }
        else if (!_primaryAsked)
        {
            Query(PlaneType.Primary);
        }

        // Zero the whole struct before every call: GVT-g returns the struct as it was sent
        // when the plane is disabled, so stale fields from the last answer would read as a plane.
        var k = default(Interop.Vfio.vfio_device_gfx_plane_info);
        k.argsz = (uint)Unsafe.SizeOf<Interop.Vfio.vfio_device_gfx_plane_info>();
        k.flags = _kindFlag;
        k.drm_plane_type = (uint)plane;

        int errno = _device.Raw.QueryGfxPlane(ref k);
        if (errno != 0)
        {
            return Failed(plane, errno);
        }

        // linux/vfio.h: a plane the guest disabled answers success with drm_format, size, width and
        // height 0; mbochs zeroes them all, and GVT-g hands back the struct as sent, zeroed above.
        // An answer with only some of them 0 is not that contract: Validate names what is missing.
        // (QEMU shows nothing for drm_format 0 or size 0 alone; here the device hears why.)
        if (k.drm_format == 0 && k.width == 0 && k.height == 0 && k.size == 0)
        {
            if (plane == PlaneType.Primary)
            {
                _hasPrimary = false;
                _lastPrimary = default;
            }

            return new PlaneQueryResult(PlaneStatus.Disabled, default, 0, null);
        }

        PlaneInfo info = PlaneInfo.FromKernel(k, plane, _kind);
        if (plane == PlaneType.Primary)
        {
            // Kept before validation: a cursor repeating even an invalid primary is no cursor,
            // and its problem is reported once, for the primary.
            _lastPrimary = info;
            _hasPrimary = true;
        }
        else if (_hasPrimary && RepeatsPrimary(info))
        {
            // mdpy answers every plane type with its one region plane; that is not a cursor.
            return new PlaneQueryResult(PlaneStatus.Disabled, default, 0, null);
        }

        // A device that keeps giving the same bad answer gets the same message back each frame,
        // not a new string at the display's refresh rate.
        ref Problem last = ref ProblemOf(plane);
        if (last.Message is not null && last.Errno == 0 && last.Info == info)
        {
            return new PlaneQueryResult(PlaneStatus.Invalid, default, 0, last.Message);
        }

        string? problem = Validate(info);
        if (problem is not null)
        {
            last = new Problem(info, 0, $"{_device.Name}: {plane.Name()} plane: {problem}");
            return new PlaneQueryResult(PlaneStatus.Invalid, default, 0, last.Message);
        }

        return new PlaneQueryResult(PlaneStatus.Enabled, info, 0, null);
    }

    // What is wrong with an enabled plane's answer, or null. Allocates only when something is wrong.
    internal static string? Validate(in PlaneInfo p)
    {
        if (p.Fourcc == 0 || p.Width == 0 || p.Height == 0 || p.Size == 0)
        {
            return $"{ZeroFields(p)} 0 but not all of drm_format, width, height and size " +
                $"(drm_format 0x{p.Fourcc:x8}, {p.Width}x{p.Height}, size {p.Size}): a disabled plane has all four 0, a shown one none";
        }

        if (!FormatTable.TryGet(p.Fourcc, out FormatInfo format))
        {
            return $"drm_format 0x{p.Fourcc:x8} ('{DrmFourcc.ToText(p.Fourcc)}') is not a format this viewer knows";
        }

        if (!TileLayout.TryGet(p.Modifier, format.BytesPerPixel, out TileLayout tiles))
        {
            return $"drm_format_mod {DrmModifier.ToHex(p.Modifier)} is not a known modifier (expected LINEAR or I915 X/Y/Yf tiled)";
        }

        if (p.Width > MaxDimension)
        {
            return $"width {p.Width} is over {MaxDimension}";
        }

        if (p.Height > MaxDimension)
        {
            return $"height {p.Height} is over {MaxDimension}";
        }

        if (p.Plane == PlaneType.Cursor && (p.Width > MaxCursorDimension || p.Height > MaxCursorDimension))
        {
            return $"cursor {p.Width}x{p.Height} is larger than {MaxCursorDimension} px";
        }

        // A row as the converter reads it: an odd-width 4:2:2 row ends with a whole pixel pair.
        long rowBytes = format.RowBytes((int)p.Width);
        if (p.Modifier == DrmModifier.Linear && p.Stride < rowBytes)
        {
            return $"stride {p.Stride} is below {format.DescribeRow((int)p.Width)}";
        }

        // A tiled plane's rows are whole tiles wide and its buffer holds whole rows of tiles.
        if (!tiles.IsLinear && (p.Stride < rowBytes || p.Stride % tiles.WidthBytes != 0))
        {
            return $"stride {p.Stride} of a {DrmModifier.ToText(p.Modifier)} plane is not a whole number of {tiles.WidthBytes}-byte tiles covering {format.DescribeRow((int)p.Width)}";
        }

        long rows = tiles.PaddedRows(p.Height);
        long needed = (long)p.Stride * rows;
        if (p.Size < (ulong)needed)
        {
            return tiles.IsLinear
                ? $"size {p.Size} is below stride {p.Stride} × height {p.Height} = {needed}"
                : $"size {p.Size} is below stride {p.Stride} × {rows} rows (height {p.Height} rounded up to whole tiles) = {needed}";
        }

        if (p.Size > int.MaxValue)
        {
            return $"size {p.Size} is over the {int.MaxValue} bytes a plane may have here";
        }

        return null;
    }

    // "size is", "width and height are": the fields of a half-disabled answer that are 0.
    private static string ZeroFields(in PlaneInfo p)
    {
        var zero = new List<string>(4);
        if (p.Fourcc == 0)
        {
            zero.Add("drm_format");
        }

        if (p.Width == 0)
        {
            zero.Add("width");
        }

        if (p.Height == 0)
        {
            zero.Add("height");
        }

        if (p.Size == 0)
        {
            zero.Add("size");
        }

        return zero.Count == 1 ? zero[0] + " is" : string.Join(", ", zero[..^1]) + " and " + zero[^1] + " are";
    }

    private bool RepeatsPrimary(in PlaneInfo cursor)
    {
        if (cursor.Kind == PlaneBufferKind.Region)
        {
            return cursor.Id == _lastPrimary.Id;
        }

        return cursor.SameLayout(_lastPrimary);
    }

    private PlaneQueryResult Failed(PlaneType plane, int errno)
    {
        PlaneStatus status = Errno.IsTransient(errno) ? PlaneStatus.Transient
            : Errno.IsDeviceGone(errno) ? PlaneStatus.Gone
            : PlaneStatus.Invalid;
        if (plane == PlaneType.Primary && status != PlaneStatus.Transient)
        {
            _hasPrimary = false;
        }

        // Transient errors come every mode change on mbochs; their message is made only when
        // someone reads it, so the retry path stays free of allocations. A lasting error keeps
        // the message it was given first.
        if (status == PlaneStatus.Transient)
        {
            return new PlaneQueryResult(status, default, errno, null);
        }

        ref Problem last = ref ProblemOf(plane);
        if (last.Message is null || last.Errno != errno)
        {
            last = new Problem(default, errno,
                $"{_device.Name}: {plane.Name()} plane: VFIO_DEVICE_QUERY_GFX_PLANE failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})");
        }

        return new PlaneQueryResult(status, default, errno, last.Message);
    }

    private ref Problem ProblemOf(PlaneType plane) => ref plane == PlaneType.Cursor ? ref _cursorProblem : ref _primaryProblem;

    // The last failed answer for one plane: the plane it described (validation problems, errno 0)
    // or the errno the query failed with, and the message made for it.
    private readonly record struct Problem(PlaneInfo Info, int Errno, string? Message);
}
