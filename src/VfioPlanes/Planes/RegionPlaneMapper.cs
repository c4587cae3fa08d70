using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// The mapping of one region plane's bytes. The object is stable per region index; the
/// mapping inside grows when a plane needs more of the region.
/// </summary>
public sealed class RegionMapping
{
    private SafeMappedRegion? _mapping;

    internal RegionMapping(uint index)
    {
        Index = index;
    }

    /// <summary>The region index (region_index of the plane).</summary>
    public uint Index { get; }

    /// <summary>Bytes mapped from the start of the region.</summary>
    public long MappedLength => _mapping?.Length ?? 0;

    /// <summary>The first <paramref name="length"/> bytes of the region, readable by the CPU until disposed.</summary>
    public PlaneMemory BeginCpuRead(long length)
    {
        SafeMappedRegion mapping = _mapping ?? throw new ObjectDisposedException(nameof(RegionMapping));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, mapping.Length);
        return new PlaneMemory(mapping.GetSpan()[..(int)length], null);
    }

    internal void Replace(SafeMappedRegion mapping)
    {
        _mapping?.Dispose();
        _mapping = mapping;
    }

    internal void Close()
    {
        _mapping?.Dispose();
        _mapping = null;
    }
}

/// <summary>
/// Maps region planes (mdpy's). mdpy's read handler ignores the offset it is given, so pread
/// would return the wrong bytes: the plane is always mmap'd, at the region's offset in the
/// device file. One mapping per region index, re-mapped only when a plane needs more bytes.
/// </summary>
public sealed class RegionPlaneMapper : IDisposable
{
    private readonly VgpuDevice _device;
    private readonly List<RegionMapping> _mappings = [];

    public RegionPlaneMapper(VgpuDevice device)
    {
        _device = device;
    }

    /// <summary>
    /// The mapping holding <paramref name="info"/>'s bytes, or null with <paramref name="problem"/>
    /// naming the device, plane and field when the plane does not fit its region. Failures of
    /// the mmap itself throw a VfioException with the errno.
    /// </summary>
    public RegionMapping? TryMap(in PlaneInfo info, out string? problem)
    {
        if (info.Kind != PlaneBufferKind.Region)
        {
            throw new ArgumentException($"plane {info.Id} of {_device.Name} is a dma-buf plane, not a region plane", nameof(info));
        }

        RegionMapping? mapping = Find(info.Id);
        if (mapping is not null && mapping.MappedLength >= info.Size)
        {
            problem = null;
            return mapping;
        }

        string plane = info.Plane.Name();
        RegionInfo? region = _device.TryGetRegionInfo(info.Id);
        if (region is null)
        {
            problem = $"{_device.Name}: {plane} plane: region_index {info.Id} is not a region of the device";
            return null;
        }

        if (info.Size > region.Size)
        {
            problem = $"{_device.Name}: {plane} plane: size {info.Size} does not fit region {info.Id} of {region.Size} bytes";
            return null;
        }

        if (!region.Mappable)
        {
            problem = $"{_device.Name}: {plane} plane: region {info.Id} cannot be mmap'd (no VFIO_REGION_INFO_FLAG_MMAP)";
            return null;
        }

        SafeMappedRegion mapped = _device.Raw.Map((long)region.Offset, info.Size, writable: false);
        if (mapping is null)
        {
            mapping = new RegionMapping(info.Id);
            _mappings.Add(mapping);
        }

        mapping.Replace(mapped);
        problem = null;
        return mapping;
    }

    public void Dispose()
    {
        foreach (RegionMapping mapping in _mappings)
        {
            mapping.Close();
        }

        _mappings.Clear();
    }

    private RegionMapping? Find(uint index)
    {
        foreach (RegionMapping mapping in _mappings)
        {
            if (mapping.Index == index)
            {
                return mapping;
            }
        }

        return null;
    }
}
