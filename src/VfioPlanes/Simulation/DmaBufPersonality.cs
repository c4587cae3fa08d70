using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// What the dma-buf drivers share: planes are buffers of the pool, handed out by id through
/// GET_GFX_DMABUF; BAR0 is an ordinary 16 MiB BAR; the EDID region is there. Each driver says
/// how it answers a query, which buffers it keeps, and the errno for an id it does not know.
/// </summary>
internal abstract class DmaBufPersonality : ISimPersonality
{
    private const long DefaultBar0Size = 16 << 20;

    private SimParts? _parts;

    public uint PlaneKind => VFIO_GFX_PLANE_TYPE_DMABUF;

    public virtual uint DeviceFlags => VFIO_DEVICE_FLAGS_PCI;

    public long Bar0Size => DefaultBar0Size;

    public uint? DisplayRegion => null;

    public virtual long ConfigSpaceSize => SimRegionTable.PciConfigSpaceSize;

    public virtual SimEdidLayout? EdidLayout => SimEdidLayout.Default;

    public virtual uint MaxRegionInfoArgsz => uint.MaxValue;

    public bool FixedMode => false;

    public bool KeepsPictureWhileDisabled => false;

    /// <summary>The parts <see cref="Start"/> was given.</summary>
    protected SimParts Parts => _parts ?? throw new InvalidOperationException("the personality has not been started");

    /// <summary>How the driver keeps its primary buffers across mode changes.</summary>
    protected abstract SimBufferRetention Retention { get; }

    /// <summary>Whether the driver has a cursor plane (made when the options ask for one).</summary>
    protected virtual bool HasCursorPlane => false;

    /// <summary>The errno GET_GFX_DMABUF answers for an id the driver does not know.</summary>
    protected virtual int UnknownIdErrno => Errno.ENOENT;

    public virtual byte[]? EdidAtOpen(SimMode mode) => SimEdid.Build(mode);

    public virtual void Start(SimParts parts, CancellationToken cancel)
    {
        _parts = parts;
        if (HasCursorPlane && parts.Options.Cursor)
        {
            parts.Pool.AddCursors();
        }
    }

    public abstract int Query(ref vfio_device_gfx_plane_info info);

    public int GetDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf)
    {
        dmabuf = null;
        SimBuffer? buffer = Parts.Pool.Find(dmabufId);
        return buffer is null ? UnknownIdErrno : Parts.Pool.Export(buffer, out dmabuf);
    }

    public long ReadOffset(in SimRegion region, long offset) => offset;

    public virtual void ModeChanged()
    {
    }

    // The buffers belong to the pool, which the device disposes.
    public void Dispose()
    {
    }

    /// <summary>The buffer frame <paramref name="f"/> flips to, drawn.</summary>
    protected SimBuffer DrawPrimary(in GuestFrame f)
    {
        SimBuffer b = Parts.Pool.Primary(f, Parts.Options.Fourcc, Parts.Options.Modifier, Retention);
        Parts.Painter.Draw(f, b);
        return b;
    }
}
