using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

/// <summary>Which sysfs entry a viewer polls to notice that its device was removed.</summary>
public sealed class PresencePathTests : IDisposable
{
    private const string Uuid = "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab";
    private readonly FakeSysfs _sysfs = new();

    public void Dispose() => _sysfs.Dispose();

    [Fact]
    public void Cdev_OfAnMdev_IsTheMdevsBusEntry_NotTheVfioClassEntry()
    {
        // Removing an mdev takes /sys/bus/mdev/devices/<uuid> away at once, while the vfio
        // device (and /sys/class/vfio-dev/vfioN) stays until the viewer closes its fd.
        _sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-1", "vfio_mdev", group: 12, cdev: "vfio3");
        var sysfs = new SysfsTree(_sysfs.Root);

        string? path = VgpuDevice.PresencePathOf(DeviceSpec.Parse("/dev/vfio/devices/vfio3", sysfs), sysfs);

        Assert.Equal(Path.Combine(_sysfs.Root, "bus", "mdev", "devices", Uuid), path);
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void Cdev_OfAPciDevice_IsItsBusEntry()
    {
        _sysfs.AddPci("0000:00:02.0", "vfio-pci", group: 3, cdev: "vfio0");
        var sysfs = new SysfsTree(_sysfs.Root);

        Assert.Equal(Path.Combine(_sysfs.Root, "bus", "pci", "devices", "0000:00:02.0"),
            VgpuDevice.PresencePathOf(DeviceSpec.Parse("/dev/vfio/devices/vfio0", sysfs), sysfs));
    }

    [Fact]
    public void Cdev_NoDeviceClaimsIt_FallsBackToTheClassEntry()
    {
        var sysfs = new SysfsTree(_sysfs.Root);

        Assert.Equal(Path.Combine(_sysfs.Root, "class", "vfio-dev", "vfio7"),
            VgpuDevice.PresencePathOf(DeviceSpec.Parse("/dev/vfio/devices/vfio7", sysfs), sysfs));
    }

    [Fact]
    public void Mdev_IsItsBusEntry()
    {
        var sysfs = new SysfsTree(_sysfs.Root);

        Assert.Equal(Path.Combine(_sysfs.Root, "bus", "mdev", "devices", Uuid),
            VgpuDevice.PresencePathOf(DeviceSpec.Parse(Uuid, sysfs), sysfs));
    }
}
