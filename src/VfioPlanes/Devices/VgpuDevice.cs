using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>Which plane buffer kinds a device offers (VFIO_DEVICE_QUERY_GFX_PLANE with VFIO_GFX_PLANE_TYPE_PROBE).</summary>
/// <param name="DmaBuf">Planes come as dma-buf fds (mbochs, GVT-g).</param>
/// <param name="Region">Planes live in a device region (mdpy).</param>
public readonly record struct PlaneSupport(bool DmaBuf, bool Region)
{
    /// <summary>Whether the device has a display at all.</summary>
    public bool Any => DmaBuf || Region;
}

/// <summary>
/// One opened display-capable VFIO device (or the simulated vGPU): its identity, its regions
/// and what kinds of plane it offers. Owns the underlying device and closes it on Dispose.
/// </summary>
public sealed partial class VgpuDevice : IDisposable
{
    // The kernel raises argsz to what the capability chain needs; a few KiB covers every
    // known chain, so anything past this is a device answering nonsense.
    private const int MaxRegionInfoSize = 64 * 1024;

    private readonly Dictionary<uint, RegionInfo?> _regions = [];
    private DeviceInfo? _info;
    private PlaneSupport? _support;

    internal VgpuDevice(IVfioDevice raw, string spec)
    {
        Raw = raw;
        Spec = spec;
    }

    /// <summary>For messages: "sim:mbochs", "mdev 1b2c…".</summary>
    public string Name => Raw.Name;

    /// <summary>The device spec the user gave.</summary>
    public string Spec { get; }

    internal IVfioDevice Raw { get; }

    /// <summary>VFIO_DEVICE_GET_INFO, read once.</summary>
    public DeviceInfo GetInfo()
    {
        if (_info is not null)
        {
            return _info;
        }

        var info = new Interop.Vfio.vfio_device_info { argsz = (uint)Unsafe.SizeOf<Interop.Vfio.vfio_device_info>() };
        int errno = Raw.GetDeviceInfo(ref info);
        if (errno != 0)
        {
            throw new VfioException(errno, "VFIO_DEVICE_GET_INFO", Name);
        }

        _info = new DeviceInfo(info.flags, info.num_regions, info.num_irqs);
        return _info;
    }

    /// <summary>
    /// VFIO_DEVICE_GET_REGION_INFO for any index, including device-specific ones beyond
    /// num_regions (mdpy's plane region is 16). Null when the device says EINVAL (no such region).
    /// The answer is cached: a region's description does not change while the device is open.
    /// </summary>
    public RegionInfo? TryGetRegionInfo(uint index)
    {
        if (_regions.TryGetValue(index, out RegionInfo? cached))
        {
            return cached;
        }

        RegionInfo? region = ReadRegionInfo(index);
        _regions[index] = region;
        return region;
    }

    /// <summary>The regions 0 to num_regions - 1 that exist (those answering EINVAL are skipped).</summary>
    public IReadOnlyList<RegionInfo> GetRegions()
    {
        uint count = GetInfo().NumRegions;
        var regions = new List<RegionInfo>((int)Math.Min(count, 64));
        for (uint i = 0; i < count; i++)
        {
            if (TryGetRegionInfo(i) is { } region)
            {
                regions.Add(region);
            }
        }

        return regions;
    }

    /// <summary>The first region whose type capability is <paramref name="type"/>/<paramref name="subtype"/> (GFX/GFX_EDID for the EDID region), or null.</summary>
    public RegionInfo? FindRegion(uint type, uint subtype)
    {
        foreach (RegionInfo region in GetRegions())
        {
            if (region.CapType is { } cap && cap.Type == type && cap.Subtype == subtype)
            {
                return region;
            }
        }

        return null;
    }

    /// <summary>
    /// Which plane kinds the device offers: QUERY_GFX_PLANE with PROBE|DMABUF, then PROBE|REGION.
    /// Asked once; the answer is kept.
    /// </summary>
    public PlaneSupport Probe()
    {
        _support ??= new PlaneSupport(
            ProbeOne(Interop.Vfio.VFIO_GFX_PLANE_TYPE_DMABUF, "DMABUF"),
            ProbeOne(Interop.Vfio.VFIO_GFX_PLANE_TYPE_REGION, "REGION"));
        return _support.Value;
    }

    public void Dispose() => Raw.Dispose();

    private bool ProbeOne(uint kind, string kindName)
    {
        var info = new Interop.Vfio.vfio_device_gfx_plane_info
        {
            argsz = (uint)Unsafe.SizeOf<Interop.Vfio.vfio_device_gfx_plane_info>(),
            flags = Interop.Vfio.VFIO_GFX_PLANE_TYPE_PROBE | kind,
        };
        int errno = Raw.QueryGfxPlane(ref info);

        // linux/vfio.h: a probe returns 0 when the kind is supported and -EINVAL when not.
        // ENOTTY comes from a VFIO device without a display at all (vfio-pci's ioctl
        // default), which is "not supported" too rather than a failure.
        return errno switch
        {
            0 => true,
            Errno.EINVAL or Errno.ENOTTY => false,
            _ => throw new VfioException(errno, $"VFIO_DEVICE_QUERY_GFX_PLANE probe of {kindName} planes", Name),
        };
    }

    private RegionInfo? ReadRegionInfo(uint index)
    {
        // Two passes, as the kernel expects: ask with the fixed struct; when the capability
        // chain does not fit, the kernel raises argsz to the size it needs and leaves
        // cap_offset 0, so ask again with a buffer that large.
        int fixedSize = Unsafe.SizeOf<Interop.Vfio.vfio_region_info>();
        byte[] buffer = new byte[fixedSize];
        for (int pass = 0; pass < 2; pass++)
        {
            Array.Clear(buffer);
            var head = new Interop.Vfio.vfio_region_info { argsz = (uint)buffer.Length, index = index };
            MemoryMarshal.Write(buffer, in head);
            int errno = Raw.GetRegionInfo(buffer);
            if (errno == Errno.EINVAL)
            {
                return null;
            }

            if (errno != 0)
            {
                throw new VfioException(errno, $"VFIO_DEVICE_GET_REGION_INFO for region {index}", Name);
            }

            uint argsz = MemoryMarshal.Read<Interop.Vfio.vfio_region_info>(buffer).argsz;
            if (argsz <= buffer.Length)
            {
                return RegionInfo.Parse(buffer, Name, index);
            }

            if (pass == 1 || argsz > MaxRegionInfoSize)
            {
                throw new VfioException(
                    $"{Name}: region {index}: malformed VFIO_DEVICE_GET_REGION_INFO answer: argsz {argsz} exceeds the {buffer.Length} bytes given" +
                    (pass == 1 ? " after the kernel asked for that many" : $" and the limit of {MaxRegionInfoSize}"));
            }

            buffer = new byte[argsz];
        }

        throw new System.Diagnostics.UnreachableException();
    }
}
