using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Diagnosis;
using Xunit;
using static VgpuView.VfioPlanes.Tests.Diagnosis.HostFixtures;

namespace VgpuView.VfioPlanes.Tests.Diagnosis;

public class DeviceChecksTests
{
    private const string Uuid = "0b0c5000-0000-4000-8000-00000000b0c5";

    [Fact]
    public void GpuOnNoDriver_DriverIsAProblemWithTheBindCommands_AndItIsNotOpened()
    {
        using FakeHost host = DiscreteGpuUnderVesafb();
        var checks = new DeviceChecks(host.Roots(), _ => true);

        List<DoctorCheck> list = [.. checks.Run(DeviceSpec.Parse(Dgpu))];

        DoctorCheck driver = list.Single(c => c.Id == "driver");
        Assert.Equal(CheckStatus.Problem, driver.Status);
        Assert.Equal("bound to no driver, not to vfio-pci", driver.Found);
        string bus = Path.Combine(host.Sys, "bus", "pci");
        Assert.Equal($"modprobe vfio-pci; echo vfio-pci > {bus}/devices/{Dgpu}/driver_override; echo {Dgpu} > {bus}/drivers_probe", driver.Fix);
        Assert.DoesNotContain(list, c => c.Id is "permissions" or "busy");
        Assert.Contains(list, c => c.Id == "console");
        Assert.False(checks.Openable);
    }

    [Fact]
    public void GroupWithAMemberStillOnItsHostDriver_IsNotViable_AndTheFixRebindsThatMember()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "snd_hda_intel", consoleGone: true);
        var checks = new DeviceChecks(host.Roots(), _ => true);

        List<DoctorCheck> list = [.. checks.Run(DeviceSpec.Parse(Dgpu))];

        DoctorCheck group = list.Single(c => c.Id == "group");
        Assert.Equal(CheckStatus.Problem, group.Status);
        Assert.Contains($"group 13: {Dgpu} (vfio-pci), {DgpuAudio} (snd_hda_intel)", group.Found);
        Assert.Contains($"not viable while {DgpuAudio} is bound to snd_hda_intel", group.Found);
        Assert.Contains($"echo {DgpuAudio} > {Path.Combine(host.Sys, "bus", "pci", "drivers", "snd_hda_intel", "unbind")}", group.Fix);
        Assert.Equal(CheckStatus.Ok, list.Single(c => c.Id == "driver").Status);
        Assert.False(checks.Openable);
    }

    [Fact]
    public void GpuOnVfioPci_WholeGroupBound_IsOpenable()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);
        var checks = new DeviceChecks(host.Roots(), _ => true);

        List<DoctorCheck> list = [.. checks.Run(DeviceSpec.Parse(Dgpu))];

        Assert.All(list, c => Assert.Equal(CheckStatus.Ok, c.Status));
        Assert.Equal(["device", "driver", "group", "permissions", "busy", "console"], list.Select(c => c.Id));
        Assert.True(checks.Openable);
    }

    [Fact]
    public void GroupMemberOnPcieportBridge_DoesNotBlock()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);
        host.AddPci("0000:00:1c.0", "pcieport", group: 13, pciClass: 0x060400);

        DoctorCheck group = new DeviceChecks(host.Roots(), _ => true).Run(DeviceSpec.Parse(Dgpu)).Single(c => c.Id == "group");

        Assert.Equal(CheckStatus.Ok, group.Status);
        Assert.Contains("0000:00:1c.0 (pcieport)", group.Found);
    }

    [Fact]
    public void GroupNodeHeldByQemu_BusyNamesTheProcessAndFdN()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);
        host.AddHolder(4242, "qemu-system-x86", Path.Combine(host.Dev, "vfio", "13"));
        var checks = new DeviceChecks(host.Roots(), _ => true);

        DoctorCheck busy = checks.Run(DeviceSpec.Parse(Dgpu)).Single(c => c.Id == "busy");

        Assert.Equal(CheckStatus.Problem, busy.Status);
        Assert.Contains("held by pid 4242 (qemu-system-x86)", busy.Found);
        Assert.Contains("fd:N", busy.Fix);
        Assert.False(checks.Openable);
    }

    [Fact]
    public void GroupNodeThisUserMayNotOpen_PermissionsGivesAUdevRuleAndFdN()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);
        string node = Path.Combine(host.Dev, "vfio", "13");
        var checks = new DeviceChecks(host.Roots(), path => path != node);

        DoctorCheck access = checks.Run(DeviceSpec.Parse(Dgpu)).Single(c => c.Id == "permissions");

        Assert.Equal(CheckStatus.Problem, access.Status);
        Assert.Contains($"may not open {node} (mode 0", access.Found);
        Assert.DoesNotContain(Path.Combine(host.Dev, "vfio", "vfio"), access.Found);
        Assert.Contains("SUBSYSTEM==\"vfio\", KERNEL==\"13\", OWNER=", access.Fix);
        Assert.Contains("fd:N", access.Fix);
        Assert.False(checks.Openable);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void GroupNodeOfAGroupThatMayUseIt_PermissionsSaysToJoinThatGroup()
    {
        Requires.That(Environment.UserName == "root", "root (to give a file another group)");
        string? disk = File.ReadAllLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length >= 3 && f[2] == "6")?[0];
        Requires.That(disk is not null, "a group 6 in /etc/group (disk on Debian)");
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);
        string node = Path.Combine(host.Dev, "vfio", "13");
        Assert.Equal(0, Chown(node, 0, 6));
        File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        DoctorCheck access = new DeviceChecks(host.Roots(), path => path != node).Run(DeviceSpec.Parse(Dgpu)).Single(c => c.Id == "permissions");

        Assert.Contains("(mode 0660)", access.Found);
        Assert.StartsWith($"add this user to group {disk} (usermod -aG {disk} ", access.Fix);
    }

    [Fact]
    public void DeviceCdevThisUserMayNotOpen_GivesAVfioDevRuleAndNoContainer()
    {
        using var host = new FakeHost("6.8.0-45-generic");
        string cdev = host.AddNode("vfio/devices/vfio3");

        List<DoctorCheck> list = [.. new DeviceChecks(host.Roots(), path => path != cdev).Run(DeviceSpec.Parse("/dev/vfio/devices/vfio3"))];

        DoctorCheck access = list[0];
        Assert.Equal(CheckStatus.Problem, access.Status);
        Assert.Equal(cdev, access.Looked);
        Assert.Contains("SUBSYSTEM==\"vfio-dev\", KERNEL==\"vfio3\"", access.Fix);
        Assert.Equal(CheckStatus.Ok, list.Single(c => c.Id == "busy").Status);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, int owner, int group);

    [Fact]
    public void NoIommu_PciDeviceHasNoGroup_AndTheIommuLineIsAProblem()
    {
        using FakeHost host = NoIommu();

        DoctorCheck group = new DeviceChecks(host.Roots()).Run(DeviceSpec.Parse(Dgpu)).Single(c => c.Id == "group");
        DoctorCheck iommu = HostChecks.Iommu(host.Roots(), DeviceNeed.Pci);

        Assert.Equal(CheckStatus.Problem, group.Status);
        Assert.Contains("no IOMMU group", group.Found);
        Assert.Equal(CheckStatus.Problem, iommu.Status);
        Assert.Contains("no IOMMU enabled", iommu.Found);
        Assert.Contains("boot with intel_iommu=on", iommu.Fix);
    }

    [Fact]
    public void NoIommu_WithIntelIommuOnAsked_PointsAtTheFirmware()
    {
        using FakeHost host = NoIommu("BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 intel_iommu=on");

        DoctorCheck iommu = HostChecks.Iommu(host.Roots(), DeviceNeed.Pci);

        Assert.Equal(CheckStatus.Problem, iommu.Status);
        Assert.Contains("command line intel_iommu=on", iommu.Found);
        Assert.Contains("enable VT-d", iommu.Fix);
    }

    [Fact]
    public void NoIommu_AnMdevNeedsNone()
    {
        using FakeHost host = NoIommu();
        host.Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-medium", "medium", "16 MB", "1"));
        host.Sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-medium", driver: "mbochs", group: 0);
        host.AddNode("vfio/0");
        var checks = new DeviceChecks(host.Roots(), _ => true);

        DoctorCheck iommu = HostChecks.Iommu(host.Roots(), DeviceNeed.Mdev);
        List<DoctorCheck> list = [.. checks.Run(DeviceSpec.Parse(Uuid))];

        Assert.Equal(CheckStatus.Ok, iommu.Status);
        Assert.Contains("an mdev needs no hardware IOMMU", iommu.Found);
        Assert.Equal("mdev of type mbochs-medium on mbochs, driver mbochs, IOMMU group 0", list[0].Found);
        Assert.All(list, c => Assert.Equal(CheckStatus.Ok, c.Status));
        Assert.True(checks.Openable);
    }

    [Fact]
    public void MissingMdev_SaysHowToCreateOne()
    {
        using FakeHost host = NoIommu();
        host.Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-medium", "medium", "16 MB", "1"));

        DoctorCheck device = new DeviceChecks(host.Roots()).Run(DeviceSpec.Parse(Uuid)).Single();

        Assert.Equal(CheckStatus.Problem, device.Status);
        Assert.Equal($"echo {Uuid} > {Path.Combine(host.Sys, "class", "mdev_bus", "mbochs", "mdev_supported_types", "mbochs-medium", "create")}", device.Fix);
    }

    [Fact]
    public void MdevParentGpu_OnItsDriver_IsInformationNotAProblem()
    {
        using FakeHost host = IntelIgpuUnderEfifb();
        File.Delete(Path.Combine(host.Sys, "bus", "pci", "devices", Igpu, "driver"));
        host.Sysfs.AddPci("0000:00:02.1", "i915", group: 5);
        Directory.CreateSymbolicLink(Path.Combine(host.Sys, "devices", "pci0000:00", Igpu, "driver"), "../../../bus/pci/drivers/i915");
        host.Sysfs.Dir("class", "mdev_bus", Igpu);

        DoctorCheck driver = new DeviceChecks(host.Roots()).Run(DeviceSpec.Parse(Igpu)).Single(c => c.Id == "driver");

        Assert.Equal(CheckStatus.Info, driver.Status);
        Assert.Contains("bound to i915, which makes it an mdev parent", driver.Found);
    }
}
