using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Opening;

namespace VgpuView.Viewer.Commands;

/// <summary>Opens devices on this machine: the simulated vGPU, or real VFIO devices under /sys and /dev.</summary>
internal sealed class DeviceOpener(SysfsTree sysfs, string devRoot) : IDeviceOpener
{
    public SysfsTree Sysfs { get; } = sysfs;

    /// <summary>Ends a wait while opening (a replay file that is a FIFO no program writes to yet).</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>
    /// The machine's own sysfs and /dev. VGPUVIEW_SYSFS and VGPUVIEW_DEV point them elsewhere
    /// (a test tree, or a chroot's).
    /// </summary>
    public static DeviceOpener FromEnvironment() => new(
        new SysfsTree(Environment.GetEnvironmentVariable("VGPUVIEW_SYSFS") ?? "/sys"),
        Environment.GetEnvironmentVariable("VGPUVIEW_DEV") ?? "/dev");

    public VgpuDevice Open(string spec)
    {
        DeviceSpec parsed;
        try
        {
            parsed = DeviceSpec.Parse(spec, Sysfs);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, e);
        }

        return DeviceFactory.OpenCancellable(parsed, Sysfs, devRoot, Cancellation);
    }
}
