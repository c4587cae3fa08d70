using VgpuView.VfioPlanes.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Discovery;

public class SysfsTreeTests
{
    private const string Uuid = "1b2c3d4e-0000-4000-8000-0000000000a1";

    [Fact]
    public void Discover_EmptyRoot_ReportsNothingAndNoProblems()
    {
        using var sysfs = new FakeSysfs();

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        Assert.True(report.IsEmpty);
        Assert.Empty(report.Types);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Discover_MbochsAndMdpyParents_ListsTheirTypes()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddParent("virtual/mbochs/mbochs",
            ("mbochs-1", "small", "virtual display, 4 MB video memory", "2"),
            ("mbochs-2", "medium", "virtual display, 16 MB video memory", "1"));
        sysfs.AddParent("virtual/mdpy/mdpy", ("mdpy-vga", "vga", "virtual display, 640x480", "4"));

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        Assert.Equal(["mbochs", "mdpy"], report.Parents.Select(p => p.Name));
        Assert.Equal(["mbochs-1", "mbochs-2"], report.Parents[0].TypeIds);
        Assert.Equal(3, report.Types.Count);
        MdevType medium = report.Types[1];
        Assert.Equal(new MdevType("mbochs", "mbochs-2", "medium", "virtual display, 16 MB video memory", 1, "vfio-pci"), medium);
        Assert.Equal(Path.Combine(sysfs.Root, "class/mdev_bus/mbochs/mdev_supported_types/mbochs-2/create"), medium.CreatePath(sysfs.Root));
        Assert.Empty(report.MdevDevices);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Discover_Mdev_ResolvesTypeParentDriverGroupAndCdev()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "1"));
        sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-1", driver: "vfio_mdev", group: 12, cdev: "vfio3");

        MdevDevice mdev = Assert.Single(new SysfsTree(sysfs.Root).Discover().MdevDevices);

        Assert.Equal(Uuid, mdev.Uuid);
        Assert.Equal("mbochs", mdev.Parent);
        Assert.Equal("mbochs-1", mdev.TypeId);
        Assert.Equal("small", mdev.TypeName);
        Assert.Equal("vfio_mdev", mdev.Driver);
        Assert.Equal(12, mdev.IommuGroup);
        Assert.Equal("vfio3", mdev.CdevName);
    }

    [Fact]
    public void Discover_MdevWithoutDriverOrGroup_HasUnknownsNotProblems()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddParent("virtual/mdpy/mdpy", ("mdpy-xga", null, null, null));
        sysfs.AddMdev("virtual/mdpy/mdpy", Uuid, "mdpy-xga", driver: null, group: null);

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        MdevDevice mdev = Assert.Single(report.MdevDevices);
        Assert.Null(mdev.Driver);
        Assert.Null(mdev.IommuGroup);
        Assert.Null(mdev.CdevName);
        Assert.Null(mdev.TypeName);
        MdevType type = Assert.Single(report.Types);
        Assert.Null(type.Name);
        Assert.Null(type.AvailableInstances);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Discover_PciDevices_ListsOnlyVfioBoundOnes()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPci("0000:00:02.0", "i915", group: 0);
        sysfs.AddPci("0000:01:00.0", "vfio-pci", group: 7, vendor: "0x10de", device: "0x1eb8");
        sysfs.AddPci("0000:02:00.0", null, group: 8);

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        VfioPciDevice pci = Assert.Single(report.PciDevices);
        Assert.Equal("0000:01:00.0", pci.Address);
        Assert.Equal("vfio-pci", pci.Driver);
        Assert.Equal(7, pci.IommuGroup);
        Assert.Equal("0x10de", pci.VendorId);
        Assert.Equal("0x1eb8", pci.DeviceId);
        Assert.False(report.IsEmpty);
    }

    [Fact]
    public void Discover_GarbageFiles_AreReportedAsProblems()
    {
        using var sysfs = new FakeSysfs();
        string parent = sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "lots"));
        string mdev = sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-1", "vfio_mdev", group: null);
        Directory.CreateSymbolicLink(Path.Combine(mdev, "iommu_group"), "../../not-a-number");

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        Assert.Null(Assert.Single(report.Types).AvailableInstances);
        Assert.Null(Assert.Single(report.MdevDevices).IommuGroup);
        Assert.Equal(2, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Contains("available_instances", StringComparison.Ordinal) && p.Contains("'lots'", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("iommu_group", StringComparison.Ordinal) && p.Contains("not-a-number", StringComparison.Ordinal));
        Assert.True(Directory.Exists(parent));
    }

    [Fact]
    public void Discover_UnreadableFile_IsReportedNotThrown()
    {
        // A directory where a file belongs cannot be read, even by root (EISDIR).
        using var sysfs = new FakeSysfs();
        string parent = sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", null, "1"));
        string description = Path.Combine(parent, "mdev_supported_types", "mbochs-1", "description");
        Directory.CreateDirectory(description);

        DiscoveryReport report = new SysfsTree(sysfs.Root).Discover();

        Assert.Null(Assert.Single(report.Types).Description);
        Assert.Contains(report.Problems, p => p.Contains("mdev_bus/mbochs/mdev_supported_types/mbochs-1/description: ", StringComparison.Ordinal));
        Assert.True(Directory.Exists(description));
    }

    [Fact]
    public void FindMdev_And_FindPci_ReturnNullWhenAbsent()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPci("0000:00:02.0", "i915", group: 0);
        var tree = new SysfsTree(sysfs.Root);

        Assert.Null(tree.FindMdev(Uuid));
        Assert.Null(tree.FindPci("0000:00:03.0"));
        VfioPciDevice? igd = tree.FindPci("0000:00:02.0");
        Assert.NotNull(igd);
        Assert.False(igd.IsVfioBound);
    }
}
