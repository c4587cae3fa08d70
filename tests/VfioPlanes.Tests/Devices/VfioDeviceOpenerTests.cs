using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Tests.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

/// <summary>
/// The opener against a fake sysfs and a fake /dev of plain files: every step up to the first
/// ioctl a plain file refuses (ENOTTY) runs for real, so each message a user meets is checked.
/// </summary>
public sealed class VfioDeviceOpenerTests : IDisposable
{
    private const string Uuid = "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab";
    private readonly FakeHost _host = new();

    private FakeSysfs Sysfs => _host.Sysfs;

    private string Dev => _host.Dev;

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Open_NoContainerNode_SaysToLoadTheVfioModule()
    {
        AddMbochsMdev(group: 12);

        var e = Open(Uuid);

        Assert.Equal($"{Dev}/vfio/vfio does not exist: the vfio module is not loaded: modprobe vfio vfio_iommu_type1", e.Message);
    }

    [Fact]
    public void Open_UnknownUuid_SaysHowToCreateOne()
    {
        Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "0"), ("mbochs-2", "medium", "16 MB", "1"));

        var e = Open(Uuid);

        Assert.Equal($"no mdev {Uuid}: create one with echo {Uuid} > {Sysfs.Root}/class/mdev_bus/mbochs/mdev_supported_types/mbochs-2/create", e.Message);
    }

    [Fact]
    public void Open_UnknownUuidAndNoParents_SaysToLoadAVendorDriver()
    {
        var e = Open(Uuid);

        Assert.StartsWith($"no mdev {Uuid}: create one with echo {Uuid} > {Sysfs.Root}/class/mdev_bus/<parent>/mdev_supported_types/<type>/create", e.Message, StringComparison.Ordinal);
        Assert.Contains("load a vendor driver such as mbochs, mdpy or i915 with GVT-g", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GroupNodeIsAPlainFile_SaysItIsNotAGroup()
    {
        AddMbochsMdev(group: 12);
        AddDevNode("vfio/vfio");
        AddDevNode("vfio/12");

        var e = Open(Uuid);

        Assert.Equal($"{Dev}/vfio/12 is not a VFIO group node: VFIO_GROUP_GET_STATUS failed with ENOTTY", e.Message);
        Assert.Equal(Errno.ENOTTY, e.SystemErrno);
    }

    [Fact]
    public void Open_GroupNodeMissing_SaysSysfsAndDevDisagree()
    {
        AddMbochsMdev(group: 12);
        AddDevNode("vfio/vfio");

        var e = Open(Uuid);

        Assert.StartsWith($"{Dev}/vfio/12 does not exist although sysfs puts mdev 1b2c3d4e… in IOMMU group 12", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MdevWithoutGroup_SaysItIsNotBoundToVfio()
    {
        AddMbochsMdev(group: null);

        var e = Open(Uuid);

        Assert.Contains($"mdev {Uuid} has no iommu_group", e.Message, StringComparison.Ordinal);
        Assert.Contains("driver: vfio_mdev", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GroupNodeMissingButCdevPresent_UsesTheCdevAndIommufd()
    {
        AddMbochsMdev(group: 12, cdev: "vfio3");
        AddDevNode("vfio/vfio");
        AddDevNode("vfio/devices/vfio3");
        AddDevNode("iommu");

        var e = Open(Uuid);

        // The plain file took the cdev path as far as binding to iommufd.
        Assert.Equal($"{Dev}/vfio/devices/vfio3: VFIO_DEVICE_BIND_IOMMUFD failed with ENOTTY", e.Message);
    }

    [Fact]
    public void Open_CdevSpecNotPresent_SaysToUseTheGroup()
    {
        var e = Open("/dev/vfio/devices/vfio9");

        Assert.StartsWith($"{Dev}/vfio/devices/vfio9 does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("UUID or PCI address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_CdevWithoutIommufd_SaysWhatIsMissing()
    {
        AddDevNode("vfio/devices/vfio3");

        var e = Open("/dev/vfio/devices/vfio3");

        Assert.StartsWith($"{Dev}/iommu does not exist: the device cdev needs iommufd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PciBoundToAnotherDriver_SaysHowToRebind()
    {
        Sysfs.AddPci("0000:00:02.0", "i915", group: 0);

        var e = Open("0000:00:02.0");

        Assert.StartsWith("PCI device 0000:00:02.0 is bound to i915, not to a VFIO driver: bind it to vfio-pci", e.Message, StringComparison.Ordinal);
        Assert.Contains($"echo 0000:00:02.0 > {Sysfs.Root}/bus/pci/drivers/i915/unbind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PciAbsent_SaysSo()
    {
        var e = Open("0000:05:00.0");

        Assert.StartsWith("no PCI device 0000:05:00.0 in ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_VfioPciThroughGroupPlainFile_ReachesTheGroupCheck()
    {
        Sysfs.AddPci("0000:01:00.0", "vfio-pci", group: 7);
        AddDevNode("vfio/vfio");
        AddDevNode("vfio/7");

        var e = Open("01:00.0");

        Assert.Equal($"{Dev}/vfio/7 is not a VFIO group node: VFIO_GROUP_GET_STATUS failed with ENOTTY", e.Message);
    }

    [Fact]
    public void Open_FdThatIsNotVfio_SaysSoAndLeavesTheFdOpen()
    {
        using SafeFdHandle memfd = Interop.Libc.MemfdCreate("not-vfio", Interop.Libc.MFD_CLOEXEC);
        Assert.False(memfd.IsInvalid);

        var e = Open("fd:" + memfd.Number);

        Assert.StartsWith($"fd:{memfd.Number} is not a VFIO device fd: VFIO_DEVICE_GET_INFO failed with ENOTTY", e.Message, StringComparison.Ordinal);
        Assert.True(Interop.Libc.Fcntl(memfd, Interop.Libc.F_GETFD, 0) >= 0, "the inherited fd must stay open");
    }

    [Fact]
    public void Open_FdNotOpen_SaysTheParentMustPassIt()
    {
        // Far above any descriptor this process has open (the soft limit is 1024 or so).
        var e = Open("fd:999999");

        Assert.Equal("fd:999999 is not an open file descriptor in this process (EBADF): the parent must open the VFIO device and pass it without close-on-exec", e.Message);
        Assert.Equal(Errno.EBADF, e.SystemErrno);
    }

    [Fact]
    public void Open_Sim_IsNotARealDevice()
    {
        Assert.Throws<ArgumentException>(() => VfioDeviceOpener.Open(DeviceSpec.Parse("sim:mbochs"), new SysfsTree(Sysfs.Root), Dev));
    }

    private DeviceOpenException Open(string spec)
    {
        var tree = new SysfsTree(Sysfs.Root);
        DeviceSpec parsed = DeviceSpec.Parse(spec, tree);
        return Assert.Throws<DeviceOpenException>(() => VfioDeviceOpener.Open(parsed, tree, Dev, "/nonexistent-proc"));
    }

    private void AddMbochsMdev(int? group, string? cdev = null)
    {
        Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "1"));
        Sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-1", "vfio_mdev", group, cdev);
    }

    private void AddDevNode(string relative)
    {
        string path = Path.Combine(Dev, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);
    }
}
