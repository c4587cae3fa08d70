// Whether an opened device is still there: the sysfs entry that goes away with it, and how a spec names it.
using VgpuView.VfioPlanes.Discovery;

namespace VgpuView.VfioPlanes.Devices;

public sealed partial class VgpuDevice
{
    /// <summary>
    /// The sysfs directory whose disappearance means the device was removed, when known.
    /// </summary>
    /// <remarks>
    /// Seen on Debian's 6.1 kernel with mbochs: a write to an mdev's "remove" while a process
    /// holds the device blocks in vfio_unregister_group_dev until the device is closed, and the
    /// driver, which has no request callback, keeps answering every ioctl. The one sign a holder
    /// gets is that /sys/bus/mdev/devices/&lt;uuid&gt; is gone, so that is what is watched.
    /// An inherited fd (fd:N) names no sysfs entry and is not watched.
    /// </remarks>
    public string? PresencePath { get; internal init; }

    /// <summary>Whether the device's sysfs entry is still there (always true when none is known).</summary>
    public bool IsPresent() => PresencePath is null || Directory.Exists(PresencePath);

    /// <summary>
    /// The sysfs entry whose disappearance means the device was removed. For a cdev it is the
    /// entry of the device the cdev belongs to, not /sys/class/vfio-dev/vfioN: removing an mdev
    /// takes its bus entry away at once, but the vfio device and its class entry stay until the
    /// last fd is closed (vfio_unregister_group_dev waits for it before vfio_device_del,
    /// drivers/vfio/vfio_main.c), so a viewer watching the class entry would wait for itself.
    /// </summary>
    internal static string? PresencePathOf(DeviceSpec spec, SysfsTree sysfs)
    {
        switch (spec.Kind)
        {
            case DeviceSpecKind.Mdev:
                return Path.Combine(sysfs.Root, "bus", "mdev", "devices", spec.Value);
            case DeviceSpecKind.Pci:
                return Path.Combine(sysfs.Root, "bus", "pci", "devices", spec.Value);
            case DeviceSpecKind.Cdev:
                string name = Path.GetFileName(spec.Value);
                DiscoveryReport report = sysfs.Discover();
                return report.MdevDevices.FirstOrDefault(m => m.CdevName == name) is MdevDevice mdev
                    ? Path.Combine(sysfs.Root, "bus", "mdev", "devices", mdev.Uuid)
                    : report.PciDevices.FirstOrDefault(p => p.CdevName == name) is VfioPciDevice pci
                        ? Path.Combine(sysfs.Root, "bus", "pci", "devices", pci.Address)
                        : Path.Combine(sysfs.Root, "class", "vfio-dev", name);
            default:
                return null;
        }
    }

    /// <summary>A device over <paramref name="raw"/> watched through <paramref name="presencePath"/>; for tests.</summary>
    internal static VgpuDevice ForTest(IVfioDevice raw, string spec, string? presencePath) =>
        new(raw, spec) { PresencePath = presencePath };
}
