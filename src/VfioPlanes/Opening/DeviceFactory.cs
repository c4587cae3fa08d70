using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Simulation;

namespace VgpuView.VfioPlanes.Opening;

/// <summary>
/// Turns a <see cref="DeviceSpec"/> into an opened <see cref="VgpuDevice"/>: `sim` and `sim:OPTIONS`
/// open the simulated vGPU, an mdev UUID, a PCI address, a /dev/vfio path or an inherited fd open
/// the real VFIO device. It sits above both kinds so that neither knows the other: the devices
/// know only the contract they implement.
/// </summary>
public static class DeviceFactory
{
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
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind == DeviceSpecKind.Sim)
        {
            return new VgpuDevice(SimulatedDevices.OpenCancellable(spec.Value, cancel), spec.ToString());
        }

        IVfioDevice raw = VfioDeviceOpener.Open(spec, sysfs, devRoot);
        try
        {
            return new VgpuDevice(raw, spec.ToString()) { PresencePath = VgpuDevice.PresencePathOf(spec, sysfs) };
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }
}
