using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Simulation;

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
    public string? PresencePath { get; private init; }

    /// <summary>Whether the device's sysfs entry is still there (always true when none is known).</summary>
    public bool IsPresent() => PresencePath is null || Directory.Exists(PresencePath);

    /// <summary>
    /// Opens the device <paramref name="spec"/> names: the simulated vGPU for `sim`, otherwise a
    /// real VFIO device found through <paramref name="sysfs"/> and <paramref name="devRoot"/>.
    /// </summary>
    /// <exception cref="SimOptionsException">The simulated vGPU's options are wrong.</exception>
    /// <exception cref="IOException">The device cannot be opened; the message says what to do.</exception>
    /// <exception cref="InputException">A replay file the simulated vGPU plays is missing or malformed.</exception>
    public static VgpuDevice Open(DeviceSpec spec, SysfsTree sysfs, string devRoot = "/dev") => OpenCancellable(spec, sysfs, devRoot, CancellationToken.None);

    /// <summary>As <see cref="Open"/>; <paramref name="cancel"/> ends a wait while opening (a replay file that is a FIFO no program writes to).</summary>
    /// <exception cref="SimOptionsException">As <see cref="Open"/>.</exception>
    /// <exception cref="IOException">As <see cref="Open"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled while waiting.</exception>
    public static VgpuDevice OpenCancellable(DeviceSpec spec, SysfsTree sysfs, string devRoot, CancellationToken cancel)
    {
        if (spec.Kind == DeviceSpecKind.Sim)
        {
            return new VgpuDevice(SimulatedDevices.OpenCancellable(spec.Value, cancel), spec.ToString());
        }

        IVfioDevice raw = VfioDeviceOpener.Open(spec, sysfs, devRoot);
        return new VgpuDevice(raw, spec.ToString()) { PresencePath = PresencePathOf(spec, sysfs) };
    }

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
