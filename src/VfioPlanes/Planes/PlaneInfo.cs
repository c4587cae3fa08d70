using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>Which plane of the display (DRM_PLANE_TYPE_PRIMARY or DRM_PLANE_TYPE_CURSOR).</summary>
public enum PlaneType
{
    Primary = 1,
    Cursor = 2,
}

/// <summary>How the device hands out a plane's pixels.</summary>
public enum PlaneBufferKind
{
    /// <summary>VFIO_GFX_PLANE_TYPE_DMABUF: GET_GFX_DMABUF gives an fd per dmabuf_id.</summary>
    DmaBuf,

    /// <summary>VFIO_GFX_PLANE_TYPE_REGION: the pixels are in a device region.</summary>
    Region,
}

/// <summary>
/// One answer of VFIO_DEVICE_QUERY_GFX_PLANE for an enabled plane, as the device gave it.
/// A value type: the steady state queries two planes a frame and allocates nothing.
/// </summary>
public readonly record struct PlaneInfo
{
    public PlaneType Plane { get; init; }

    public PlaneBufferKind Kind { get; init; }

    /// <summary>DRM fourcc.</summary>
    public uint Fourcc { get; init; }

    /// <summary>DRM format modifier (tiling).</summary>
    public ulong Modifier { get; init; }

    public uint Width { get; init; }

    public uint Height { get; init; }

    /// <summary>Bytes from one row to the next (for tiled layouts, of a row of tiles divided by the tile height).</summary>
    public uint Stride { get; init; }

    /// <summary>Size of the buffer in bytes, as the device reports it.</summary>
    public uint Size { get; init; }

    /// <summary>Cursor position; signed, since a cursor can hang off the top or left edge.</summary>
    public int X { get; init; }

    public int Y { get; init; }

    /// <summary>
    /// Whether the device reported a hotspot: a cursor plane whose x_hot/y_hot are not 0xFFFFFFFF.
    /// A primary plane never has one, whatever the fields hold (mbochs and GVT-g answer 0 there).
    /// </summary>
    public bool HasHotspot { get; init; }

    public uint HotX { get; init; }

    public uint HotY { get; init; }

    /// <summary>dmabuf_id for <see cref="PlaneBufferKind.DmaBuf"/>, region_index for <see cref="PlaneBufferKind.Region"/>.</summary>
    public uint Id { get; init; }

    public string FormatName => DrmFourcc.ToText(Fourcc);

    /// <summary>Whether two answers describe the same buffer laid out the same way (position and hotspot aside).</summary>
    public bool SameLayout(in PlaneInfo other) =>
        Kind == other.Kind && Id == other.Id && Fourcc == other.Fourcc && Modifier == other.Modifier &&
        Width == other.Width && Height == other.Height && Stride == other.Stride && Size == other.Size;

    internal static PlaneInfo FromKernel(in Interop.Vfio.vfio_device_gfx_plane_info k, PlaneType plane, PlaneBufferKind kind) => new()
    {
        Plane = plane,
        Kind = kind,
        Fourcc = k.drm_format,
        Modifier = k.drm_format_mod,
        Width = k.width,
        Height = k.height,
        Stride = k.stride,
        Size = k.size,
        X = unchecked((int)k.x_pos),
        Y = unchecked((int)k.y_pos),
        HasHotspot = plane == PlaneType.Cursor && k.x_hot != Interop.Vfio.VFIO_GFX_NO_HOTSPOT && k.y_hot != Interop.Vfio.VFIO_GFX_NO_HOTSPOT,
        HotX = k.x_hot,
        HotY = k.y_hot,
        Id = k.dmabuf_id,
    };
}
