using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;

namespace VgpuView.Viewer.Commands;

/// <summary>How handlers reach devices and sysfs; tests give them fakes.</summary>
internal interface IDeviceOpener
{
    /// <summary>The sysfs tree that discovery and device lookup read.</summary>
    SysfsTree Sysfs { get; }

    /// <summary>Parses <paramref name="spec"/> and opens the device. A bad spec throws UsageException.</summary>
    VgpuDevice Open(string spec);
}
