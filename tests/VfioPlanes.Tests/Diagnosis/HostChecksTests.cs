using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Diagnosis;
using Xunit;
using static VgpuView.VfioPlanes.Tests.Diagnosis.HostFixtures;

namespace VgpuView.VfioPlanes.Tests.Diagnosis;

public class HostChecksTests
{
    [Theory]
    [InlineData("6.1.0-57-amd64", 6, 1)]
    [InlineData("5.15.0-91-generic", 5, 15)]
    [InlineData("6.12.48+deb12-amd64", 6, 12)]
    public void KernelVersion_Parse_ReadsMajorAndMinor(string release, int major, int minor)
    {
        KernelVersion v = KernelVersion.Parse(release)!;

        Assert.Equal((major, minor), (v.Major, v.Minor));
        Assert.Equal(major > 6 || (major == 6 && minor >= 0), v.AtLeast(6, 0));
    }

    [Fact]
    public void KernelVersion_Parse_RefusesWhatIsNoRelease() => Assert.Null(KernelVersion.Parse("Linux"));

    [Fact]
    public void Modules_PciNeed_VfioPciMissing_IsAProblemNamingIt()
    {
        using FakeHost host = NoIommu();

        DoctorCheck modules = HostChecks.Modules(host.Roots(), DeviceNeed.Pci);

        Assert.Equal(CheckStatus.Problem, modules.Status);
        Assert.Equal("vfio loaded, vfio_iommu_type1 loaded, vfio_pci not loaded, mdev not loaded, iommufd not loaded", modules.Found);
        Assert.Equal("modprobe vfio-pci", modules.Fix);
    }

    [Fact]
    public void Modules_BuiltInVfio_CountsAsThere()
    {
        using var host = new FakeHost();
        // Built in: a /sys/module entry without initstate (its parameters), nothing in /proc/modules.
        host.Sysfs.Dir("module", "vfio", "parameters");
        host.Sysfs.Dir("module", "vfio_iommu_type1", "parameters");
        host.Sysfs.Dir("bus", "mdev");

        DoctorCheck modules = HostChecks.Modules(host.Roots(), DeviceNeed.Mdev);

        Assert.Equal(CheckStatus.Ok, modules.Status);
        Assert.StartsWith("vfio built in, vfio_iommu_type1 built in, vfio_pci not loaded, mdev built in", modules.Found);
    }

    [Fact]
    public void Modules_LoadableButUnloaded_HasInitstateSoItIsNotBuiltIn()
    {
        using var host = new FakeHost();
        host.Sysfs.Dir("module", "vfio");
        File.WriteAllText(Path.Combine(host.Sys, "module", "vfio", "initstate"), "coming\n");

        DoctorCheck modules = HostChecks.Modules(host.Roots(), DeviceNeed.Any);

        Assert.Equal(CheckStatus.Problem, modules.Status);
        Assert.Equal("modprobe vfio vfio-iommu-type1", modules.Fix);
    }

    [Fact]
    public void Nodes_NoContainer_IsAProblem_AndCdevNeedWantsIommufd()
    {
        using var host = new FakeHost();

        Assert.Equal(CheckStatus.Problem, HostChecks.Nodes(host.Roots(), DeviceNeed.Any).Status);
        DoctorCheck cdev = HostChecks.Nodes(host.Roots(), DeviceNeed.Cdev);
        Assert.Equal(CheckStatus.Problem, cdev.Status);
        Assert.Contains("iommufd", cdev.Fix);

        host.AddNode("vfio/vfio");
        host.AddNode("vfio/devices/vfio0");
        DoctorCheck ok = HostChecks.Nodes(host.Roots(), DeviceNeed.Any);
        Assert.Equal(CheckStatus.Ok, ok.Status);
        Assert.Contains("1 device cdev in", ok.Found);
    }

    [Fact]
    public void Iommu_IntelUnit_IsOkAndCountsGroups()
    {
        using FakeHost host = DiscreteGpuUnderVesafb();

        DoctorCheck iommu = HostChecks.Iommu(host.Roots(), DeviceNeed.Pci);

        Assert.Equal(CheckStatus.Ok, iommu.Status);
        Assert.Equal("IOMMU dmar0 enabled, 2 IOMMU groups; command line intel_iommu=on", iommu.Found);
    }

    [Fact]
    public void Iommu_NoDeviceNamed_NoIommu_IsOnlyAWarning()
    {
        using FakeHost host = NoIommu();

        Assert.Equal(CheckStatus.Warning, HostChecks.Iommu(host.Roots(), DeviceNeed.Any).Status);
    }

    [Fact]
    public void Kernel_ReadsOsrelease()
    {
        using var host = new FakeHost("6.6.13-amd64");

        DoctorCheck kernel = HostChecks.Kernel(host.Roots());

        Assert.Equal(CheckStatus.Ok, kernel.Status);
        Assert.StartsWith("Linux 6.6.13-amd64; may have the VFIO device cdev", kernel.Found);
    }
}
