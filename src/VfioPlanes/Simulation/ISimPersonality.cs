using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// What one kernel driver the simulated vGPU imitates answers differently from the others: the
/// plane kind it offers, its regions, how it answers a plane query and a dma-buf request, and
/// its quirks. Everything the drivers share (argsz and probe rules, region info, reads, writes,
/// the EDID region, removal) is <see cref="SimulatedVgpu"/>'s.
/// </summary>
internal interface ISimPersonality : IDisposable
{
    /// <summary>The one plane kind offered: VFIO_GFX_PLANE_TYPE_DMABUF or VFIO_GFX_PLANE_TYPE_REGION.</summary>
    uint PlaneKind { get; }

    /// <summary>VFIO_DEVICE_GET_INFO's flags.</summary>
    uint DeviceFlags { get; }

    /// <summary>The size of BAR0.</summary>
    long Bar0Size { get; }

    /// <summary>The region index the plane lives at, beyond the PCI regions, or null when planes are dma-bufs.</summary>
    uint? DisplayRegion { get; }

    /// <summary>The size of PCI config space (VFIO_PCI_CONFIG_REGION_INDEX).</summary>
    long ConfigSpaceSize { get; }

    /// <summary>How the driver lays out its EDID region (VFIO_REGION_SUBTYPE_GFX_EDID), or null when it has none.</summary>
    SimEdidLayout? EdidLayout { get; }

    /// <summary>The largest argsz VFIO_DEVICE_GET_REGION_INFO accepts.</summary>
    uint MaxRegionInfoArgsz { get; }

    /// <summary>Whether the guest keeps one mode for good (the script skips its mode changes).</summary>
    bool FixedMode { get; }

    /// <summary>Whether the plane keeps showing the last picture while the guest has the display disabled.</summary>
    bool KeepsPictureWhileDisabled { get; }

    /// <summary>The EDID blob a VMM would have written for <paramref name="mode"/> before the first open, or null when none is (link down).</summary>
    byte[]? EdidAtOpen(SimMode mode);

    /// <summary>Makes what the personality holds once the device file exists: cursors, a mapping of BAR0, replay buffers.</summary>
    void Start(SimParts parts, CancellationToken cancel);

    /// <summary>VFIO_DEVICE_QUERY_GFX_PLANE once argsz and flags have passed: 0 or an errno.</summary>
    int Query(ref vfio_device_gfx_plane_info info);

    /// <summary>VFIO_DEVICE_GET_GFX_DMABUF: 0 with a new fd the caller owns, or an errno.</summary>
    int GetDmaBuf(uint dmabufId, out SafeFdHandle? dmabuf);

    /// <summary>The device file offset a pread at <paramref name="offset"/> within <paramref name="region"/> reads from.</summary>
    long ReadOffset(in SimRegion region, long offset);

    /// <summary>The guest has switched to a new base mode (an EDID brought up with another preferred timing).</summary>
    void ModeChanged();

    /// <summary>The personality <paramref name="options"/> name; a replay's file is read here.</summary>
    static ISimPersonality For(SimOptions options, CancellationToken cancel) => options.Personality switch
    {
        SimPersonality.Mbochs => new MbochsPersonality(),
        SimPersonality.Mdpy => new MdpyPersonality(options.Mode),
        SimPersonality.Gvt => new GvtPersonality(),
        SimPersonality.Replay => new ReplayPersonality(ReplayFile.Load(options.ReplayPath!, cancel)),
        _ => new DefaultPersonality(),
    };
}

/// <summary>What a personality draws with and hands out from, shared with the device that holds it.</summary>
internal sealed record SimParts(SimOptions Options, SimGuest Guest, SimBufferPool Pool, GuestPainter Painter, SafeFdHandle DeviceFd, string Name);
