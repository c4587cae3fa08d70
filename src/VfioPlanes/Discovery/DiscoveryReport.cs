namespace VgpuView.VfioPlanes.Discovery;

/// <summary>
/// What sysfs says about the machine's mediated and VFIO devices. A file that is missing is
/// unknown (null); one that exists but cannot be read is named in <see cref="Problems"/>.
/// </summary>
public sealed record DiscoveryReport(
    IReadOnlyList<MdevParent> Parents,
    IReadOnlyList<MdevType> Types,
    IReadOnlyList<MdevDevice> MdevDevices,
    IReadOnlyList<VfioPciDevice> PciDevices,
    IReadOnlyList<string> Problems)
{
    /// <summary>No mdev parent, mdev or VFIO PCI device at all.</summary>
    public bool IsEmpty => Parents.Count == 0 && MdevDevices.Count == 0 && PciDevices.Count == 0;
}

/// <summary>A device that can create mdevs: an entry of /sys/class/mdev_bus.</summary>
/// <param name="Name">The parent device's name (a PCI address for GVT-g, "mbochs" for the sample).</param>
/// <param name="TypeIds">Its mdev_supported_types directory names.</param>
public sealed record MdevParent(string Name, string SysfsPath, IReadOnlyList<string> TypeIds);

/// <summary>One mdev_supported_types/&lt;type&gt; directory of a parent.</summary>
/// <param name="Id">The directory name, as mdev_type links and the create path use it ("mbochs-1", "i915-GVTg_V5_4").</param>
/// <param name="Name">The "name" file, when the driver provides one.</param>
/// <param name="AvailableInstances">How many more mdevs of this type can be created, when readable.</param>
/// <param name="DeviceApi">The "device_api" file, "vfio-pci" for display devices.</param>
public sealed record MdevType(string Parent, string Id, string? Name, string? Description, int? AvailableInstances, string? DeviceApi)
{
    /// <summary>The file a UUID is written to in order to create an mdev of this type.</summary>
    public string CreatePath(string sysfsRoot) =>
        Path.Combine(sysfsRoot, "class", "mdev_bus", Parent, "mdev_supported_types", Id, "create");
}

/// <summary>An existing mdev: an entry of /sys/bus/mdev/devices.</summary>
/// <param name="Uuid">Lower-case UUID, the name VFIO_GROUP_GET_DEVICE_FD takes.</param>
/// <param name="Parent">The parent device's name, from the mdev's place in the device tree.</param>
/// <param name="TypeId">The mdev_type link's target directory name.</param>
/// <param name="TypeName">The type's "name" file.</param>
/// <param name="Driver">The bound mdev driver (the vendor driver's, or vfio_mdev on older kernels), null when unbound.</param>
/// <param name="IommuGroup">The iommu_group link's number: /dev/vfio/&lt;group&gt;.</param>
/// <param name="CdevName">
/// The device's vfio-dev/vfioN entry. Kernels from 6.1 make it for every VFIO device; only
/// kernels with the device cdev (6.6 on, CONFIG_VFIO_DEVICE_CDEV) also make /dev/vfio/devices/vfioN.
/// </param>
public sealed record MdevDevice(string Uuid, string SysfsPath, string? Parent, string? TypeId, string? TypeName, string? Driver, int? IommuGroup, string? CdevName);

/// <summary>A PCI device, as found under /sys/bus/pci/devices; discovery lists those bound to a VFIO driver.</summary>
/// <param name="Address">"0000:00:02.0".</param>
/// <param name="Driver">The bound driver ("vfio-pci", "i915"), null when unbound.</param>
/// <param name="VendorId">The "vendor" file, "0x8086".</param>
/// <param name="DeviceId">The "device" file.</param>
public sealed record VfioPciDevice(string Address, string SysfsPath, string? Driver, int? IommuGroup, string? VendorId, string? DeviceId, string? CdevName)
{
    /// <summary>Bound to vfio-pci or another VFIO driver (its name contains "vfio", as vfio-pci variant drivers' do).</summary>
    public bool IsVfioBound => Driver is not null && Driver.Contains("vfio", StringComparison.Ordinal);
}
