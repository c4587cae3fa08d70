using System.Runtime.InteropServices;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// One region of the simulated device file: its index, where it lies in the file, how much of
/// the file it serves, its flags, and the size region info reports (less than it serves for an
/// EDID region whose driver reports only its blob's size).
/// </summary>
internal readonly record struct SimRegion(uint Index, long Offset, long Size, uint Flags, bool Edid)
{
    /// <summary>The size VFIO_DEVICE_GET_REGION_INFO reports.</summary>
    public long ReportedSize { get; init; } = Size;
}

/// <summary>
/// The regions of the simulated vGPU's device file and VFIO_DEVICE_GET_REGION_INFO's answers
/// about them: the PCI regions at index &lt;&lt; <see cref="RegionShift"/> (BAR0 mappable, BAR2 and
/// config space small, the rest empty; the sizes of BAR0 and config space the driver's), the EDID region with its type capability, and a display
/// region that aliases BAR0 beyond num_regions.
/// </summary>
internal sealed class SimRegionTable
{
    /// <summary>Regions live at index &lt;&lt; RegionShift in the device file.</summary>
    internal const int RegionShift = 28;

    /// <summary>The region index mdpy reports for its plane: beyond num_regions, same offset as BAR0 (samples/vfio-mdev/mdpy.c).</summary>
    internal const uint MdpyDisplayRegion = 16;

    /// <summary>The config space of a conventional PCI function, 256 bytes.</summary>
    internal const long PciConfigSpaceSize = 256;

    private const int RegionInfoSize = 32; // offsetofend(struct vfio_region_info, offset)
    private const int CapTypeSize = 16;
    private const long Bar2Size = 4096;

    private readonly SimRegion[] _regions;

    /// <param name="bar0Size">BAR0's size.</param>
    /// <param name="hasEdid">Whether the EDID region is there, at <see cref="SimEdidRegion.Index"/>.</param>
    /// <param name="displayRegion">The index of a region aliasing BAR0 for a region plane, or null.</param>
    /// <param name="configSize">The size reported for PCI config space.</param>
    /// <param name="edidReportedSize">The size region info reports for the EDID region, which serves its whole page whatever this says.</param>
    internal SimRegionTable(long bar0Size, bool hasEdid, uint? displayRegion, long configSize = PciConfigSpaceSize, long edidReportedSize = SimEdidRegion.Size)
    {
        const uint rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        var regions = new List<SimRegion>();
        for (uint i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
        {
            long offset = (long)i << RegionShift;
            regions.Add(i switch
            {
                VFIO_PCI_BAR0_REGION_INDEX => new SimRegion(i, offset, bar0Size, rw | VFIO_REGION_INFO_FLAG_MMAP, false),
                VFIO_PCI_BAR2_REGION_INDEX => new SimRegion(i, offset, Bar2Size, rw, false),
                VFIO_PCI_CONFIG_REGION_INDEX => new SimRegion(i, offset, configSize, rw, false),
                _ => new SimRegion(i, offset, 0, 0, false),
            });
        }

        if (hasEdid)
        {
            regions.Add(new SimRegion(SimEdidRegion.Index, (long)SimEdidRegion.Index << RegionShift, SimEdidRegion.Size, rw, true) { ReportedSize = edidReportedSize });
        }

        if (displayRegion is uint display)
        {
            regions.Add(regions[0] with { Index = display });
            DisplayRegion = display;
        }

        _regions = [.. regions];
        foreach (SimRegion r in _regions)
        {
            FileLength = Math.Max(FileLength, r.Offset + r.Size);
        }
    }

    /// <summary>The index of the region aliasing BAR0, when there is one.</summary>
    public uint? DisplayRegion { get; }

    /// <summary>How long the device file must be to hold every region.</summary>
    public long FileLength { get; }

    /// <summary>
    /// VFIO_DEVICE_GET_INFO's num_regions: the PCI regions and the device-specific ones up to one
    /// past them, not the display region, which only the plane query names.
    /// </summary>
    public uint DeviceRegionCount
    {
        get
        {
            uint n = 0;
            foreach (SimRegion r in _regions)
            {
                if (r.Index < VFIO_PCI_NUM_REGIONS + 1 && r.Index != DisplayRegion)
                {
                    n++;
                }
            }

            return n;
        }
    }

    /// <summary>
    /// VFIO_DEVICE_GET_REGION_INFO on <paramref name="buffer"/> (a vfio_region_info followed by room
    /// for capabilities): 0 or an errno. A caller asking with an argsz over
    /// <paramref name="maxArgsz"/> is refused with EINVAL.
    /// </summary>
    public int GetInfo(Span<byte> buffer, uint maxArgsz)
    {
        if (buffer.Length < RegionInfoSize)
        {
            return Errno.EINVAL;
        }

        vfio_region_info info = MemoryMarshal.Read<vfio_region_info>(buffer);
        if (info.argsz < RegionInfoSize)
        {
            return Errno.EINVAL;
        }

        if (info.argsz > buffer.Length)
        {
            // The kernel would write past what the caller gave it.
            return Errno.EFAULT;
        }

        if (info.argsz > maxArgsz || !TryGet(info.index, out SimRegion region))
        {
            return Errno.EINVAL;
        }

        info.size = (ulong)region.ReportedSize;
        info.offset = (ulong)region.Offset;
        info.flags = region.Flags;
        info.cap_offset = 0;
        if (region.Edid)
        {
            // vfio_info_add_capability: the CAPS flag is always set; the chain follows the struct
            // when argsz leaves room for it, else argsz is raised to the size needed.
            info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
            if (info.argsz < RegionInfoSize + CapTypeSize)
            {
                info.argsz = RegionInfoSize + CapTypeSize;
            }
            else
            {
                var cap = new vfio_region_info_cap_type
                {
                    header = new vfio_info_cap_header { id = VFIO_REGION_INFO_CAP_TYPE, version = 1, next = 0 },
                    type = VFIO_REGION_TYPE_GFX,
                    subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
                };
                MemoryMarshal.Write(buffer.Slice(RegionInfoSize, CapTypeSize), in cap);
                info.cap_offset = RegionInfoSize;
            }
        }

        MemoryMarshal.Write(buffer, in info);
        return 0;
    }

    /// <summary>The region with index <paramref name="index"/>.</summary>
    public bool TryGet(uint index, out SimRegion region)
    {
        foreach (SimRegion r in _regions)
        {
            if (r.Index == index)
            {
                region = r;
                return true;
            }
        }

        region = default;
        return false;
    }

    /// <summary>
    /// The region that holds all of [<paramref name="offset"/>, +<paramref name="length"/>) of the
    /// device file; never the display region, whose bytes are BAR0's.
    /// </summary>
    public bool TryFind(long offset, long length, out SimRegion region)
    {
        foreach (SimRegion r in _regions)
        {
            if (r.Size > 0 && r.Index != DisplayRegion && offset >= r.Offset && length >= 0 && offset + length <= r.Offset + r.Size)
            {
                region = r;
                return true;
            }
        }

        region = default;
        return false;
    }
}
