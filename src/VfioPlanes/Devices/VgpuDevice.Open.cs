using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Simulation;

namespace VgpuView.VfioPlanes.Devices;

public sealed partial class VgpuDevice
{
    /// <summary>
    /// Opens the device <paramref name="spec"/> names: the simulated vGPU for `sim`, otherwise a
    /// real VFIO device found through <paramref name="sysfs"/> and <paramref name="devRoot"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The simulated vGPU's options are wrong.</exception>
    /// <exception cref="IOException">The device cannot be opened; the message says what to do.</exception>
    public static VgpuDevice Open(DeviceSpec spec, SysfsTree sysfs, string devRoot = "/dev")
    {
        IVfioDevice raw = spec.Kind == DeviceSpecKind.Sim
            ? SimulatedDevices.Open(spec.Value)
            : VfioDeviceOpener.Open(spec, sysfs, devRoot);
        return new VgpuDevice(raw, spec.ToString());
    }
}
