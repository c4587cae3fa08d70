using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>A region's type from its VFIO_REGION_INFO_CAP_TYPE capability.</summary>
/// <param name="Type">VFIO_REGION_TYPE_* (GFX is 1; PCI vendor types have bit 31 set).</param>
/// <param name="Subtype">Type-specific (GFX_EDID is 1).</param>
public readonly record struct RegionCapType(uint Type, uint Subtype)
{
    /// <summary>Whether this is the EDID region (VFIO_REGION_TYPE_GFX / VFIO_REGION_SUBTYPE_GFX_EDID).</summary>
    public bool IsEdid => Type == Interop.Vfio.VFIO_REGION_TYPE_GFX && Subtype == Interop.Vfio.VFIO_REGION_SUBTYPE_GFX_EDID;

    public override string ToString() => IsEdid ? "gfx/edid" : $"0x{Type:x}/0x{Subtype:x}";
}

/// <summary>One mmap-able part of a region that is not mappable as a whole (VFIO_REGION_INFO_CAP_SPARSE_MMAP).</summary>
/// <param name="Offset">Offset within the region.</param>
/// <param name="Size">Bytes.</param>
public readonly record struct SparseArea(ulong Offset, ulong Size);

/// <summary>What VFIO_DEVICE_GET_REGION_INFO says about one region, capability chain included.</summary>
/// <param name="Index">The region index asked for.</param>
/// <param name="Flags">VFIO_REGION_INFO_FLAG_* as returned.</param>
/// <param name="Size">Region size in bytes.</param>
/// <param name="Offset">Where the region starts in the device file (for pread, pwrite and mmap).</param>
/// <param name="CapType">The region's type capability, or null when it has none.</param>
/// <param name="SparseAreas">The sparse mmap areas; empty when the capability is absent.</param>
public sealed record RegionInfo(uint Index, uint Flags, ulong Size, ulong Offset, RegionCapType? CapType, IReadOnlyList<SparseArea> SparseAreas)
{
    public bool Readable => (Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_READ) != 0;

    public bool Writable => (Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_WRITE) != 0;

    public bool Mappable => (Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_MMAP) != 0;

    // Parses the buffer VFIO_DEVICE_GET_REGION_INFO filled. Every capability offset is input:
    // it must lie after the fixed struct, inside the buffer, on an 8-byte boundary (the kernel's
    // vfio_info_cap_add aligns each capability to u64), and the chain must end.
    internal static RegionInfo Parse(ReadOnlySpan<byte> buffer, string device, uint index)
    {
        int fixedSize = Unsafe.SizeOf<Interop.Vfio.vfio_region_info>();
        if (buffer.Length < fixedSize)
        {
            throw Malformed(device, index, $"the answer is {buffer.Length} bytes, below the {fixedSize} of struct vfio_region_info");
        }

        var info = MemoryMarshal.Read<Interop.Vfio.vfio_region_info>(buffer);
        RegionCapType? capType = null;
        IReadOnlyList<SparseArea> sparse = [];

        if ((info.flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_CAPS) != 0 && info.cap_offset != 0)
        {
            int headerSize = Unsafe.SizeOf<Interop.Vfio.vfio_info_cap_header>();
            int maxSteps = (buffer.Length - fixedSize) / headerSize;
            uint offset = info.cap_offset;
            string field = "cap_offset";
            int steps = 0;
            while (offset != 0)
            {
                if (++steps > maxSteps)
                {
                    throw Malformed(device, index, $"the capability chain does not end (a 'next' offset loops back; {field} = {offset})");
                }

                if (offset < fixedSize || offset % 8 != 0 || offset > (uint)(buffer.Length - headerSize))
                {
                    throw Malformed(device, index,
                        $"{field} {offset} is not an 8-byte aligned offset between {fixedSize} and {buffer.Length - headerSize} (argsz {buffer.Length})");
                }

                var header = MemoryMarshal.Read<Interop.Vfio.vfio_info_cap_header>(buffer[(int)offset..]);
                ReadOnlySpan<byte> cap = buffer[(int)offset..];
                switch (header.id)
                {
                    case Interop.Vfio.VFIO_REGION_INFO_CAP_TYPE:
                        RequireLength(cap, Unsafe.SizeOf<Interop.Vfio.vfio_region_info_cap_type>(), device, index, offset, "type");
                        var type = MemoryMarshal.Read<Interop.Vfio.vfio_region_info_cap_type>(cap);
                        capType = new RegionCapType(type.type, type.subtype);
                        break;

                    case Interop.Vfio.VFIO_REGION_INFO_CAP_SPARSE_MMAP:
                        sparse = ParseSparse(cap, device, index, offset);
                        break;

                    default:
                        // Other capabilities (MSI-X mappable, NVLink, ...) say nothing a display needs.
                        break;
                }

                field = $"next of the capability at {offset}";
                offset = header.next;
            }
        }

        return new RegionInfo(index, info.flags, info.size, info.offset, capType, sparse);
    }

    private static SparseArea[] ParseSparse(ReadOnlySpan<byte> cap, string device, uint index, uint offset)
    {
        int headSize = Unsafe.SizeOf<Interop.Vfio.vfio_region_info_cap_sparse_mmap>();
        int areaSize = Unsafe.SizeOf<Interop.Vfio.vfio_region_sparse_mmap_area>();
        RequireLength(cap, headSize, device, index, offset, "sparse mmap");
        var head = MemoryMarshal.Read<Interop.Vfio.vfio_region_info_cap_sparse_mmap>(cap);
        long needed = headSize + ((long)head.nr_areas * areaSize);
        if (needed > cap.Length)
        {
            throw Malformed(device, index,
                $"sparse mmap capability at {offset}: nr_areas {head.nr_areas} needs {needed} bytes, only {cap.Length} remain in argsz");
        }

        var areas = new SparseArea[head.nr_areas];
        for (int i = 0; i < areas.Length; i++)
        {
            var area = MemoryMarshal.Read<Interop.Vfio.vfio_region_sparse_mmap_area>(cap[(headSize + (i * areaSize))..]);
            areas[i] = new SparseArea(area.offset, area.size);
        }

        return areas;
    }

    private static void RequireLength(ReadOnlySpan<byte> cap, int needed, string device, uint index, uint offset, string what)
    {
        if (cap.Length < needed)
        {
            throw Malformed(device, index, $"{what} capability at {offset} needs {needed} bytes, only {cap.Length} remain in argsz");
        }
    }

    private static VfioException Malformed(string device, uint index, string what) =>
        new($"{device}: region {index}: malformed VFIO_DEVICE_GET_REGION_INFO answer: {what}");
}
