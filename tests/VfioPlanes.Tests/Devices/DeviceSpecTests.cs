using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Tests.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

public class DeviceSpecTests
{
    [Theory]
    [InlineData("sim", DeviceSpecKind.Sim, "", "sim", "sim")]
    [InlineData("sim:mbochs", DeviceSpecKind.Sim, "mbochs", "sim:mbochs", "sim:mbochs")]
    [InlineData("sim:gvt,1920x1080,format=XR30", DeviceSpecKind.Sim, "gvt,1920x1080,format=XR30", "sim:gvt,1920x1080,format=XR30", "sim:gvt,1920x1080,format=XR30")]
    [InlineData("sim:replay=/tmp/A B.json", DeviceSpecKind.Sim, "replay=/tmp/A B.json", "sim:replay=/tmp/A B.json", "sim:replay=/tmp/A B.json")]
    [InlineData("1B2C3D4E-AAAA-4BBB-8CCC-0123456789AB", DeviceSpecKind.Mdev, "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", "mdev 1b2c3d4e…")]
    [InlineData("/sys/bus/mdev/devices/1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab/", DeviceSpecKind.Mdev, "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", "mdev 1b2c3d4e…")]
    [InlineData("0000:00:02.0", DeviceSpecKind.Pci, "0000:00:02.0", "0000:00:02.0", "pci 0000:00:02.0")]
    [InlineData("00:02.0", DeviceSpecKind.Pci, "0000:00:02.0", "0000:00:02.0", "pci 0000:00:02.0")]
    [InlineData("0000:3B:1F.7", DeviceSpecKind.Pci, "0000:3b:1f.7", "0000:3b:1f.7", "pci 0000:3b:1f.7")]
    [InlineData("/sys/bus/pci/devices/0000:01:00.0", DeviceSpecKind.Pci, "0000:01:00.0", "0000:01:00.0", "pci 0000:01:00.0")]
    [InlineData("/dev/vfio/devices/vfio12", DeviceSpecKind.Cdev, "/dev/vfio/devices/vfio12", "/dev/vfio/devices/vfio12", "cdev vfio12")]
    [InlineData("/sys/class/vfio-dev/vfio4", DeviceSpecKind.Cdev, "/dev/vfio/devices/vfio4", "/dev/vfio/devices/vfio4", "cdev vfio4")]
    [InlineData("fd:0", DeviceSpecKind.Fd, "0", "fd:0", "fd:0")]
    [InlineData("fd:5", DeviceSpecKind.Fd, "5", "fd:5", "fd:5")]
    public void Parse_AcceptedForm_GivesCanonicalTextAndDisplayName(string text, DeviceSpecKind kind, string value, string canonical, string display)
    {
        DeviceSpec spec = DeviceSpec.Parse(text);

        Assert.Equal(kind, spec.Kind);
        Assert.Equal(value, spec.Value);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(display, spec.DisplayName);
        Assert.Equal(spec, DeviceSpec.Parse(spec.ToString()));
    }

    [Fact]
    public void Parse_Fd_ExposesTheNumber()
    {
        Assert.Equal(7, DeviceSpec.Parse("fd:7").Fd);
        Assert.Equal(-1, DeviceSpec.Parse("sim").Fd);
    }

    [Theory]
    [InlineData("")]
    [InlineData("simulator")]
    [InlineData("mdev")]
    [InlineData("1b2c3d4e-aaaa-4bbb-8ccc-0123456789a")]
    [InlineData("1b2c3d4e-aaaa-4bbb-8ccc-0123456789abc")]
    [InlineData("{1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab}")]
    [InlineData("1b2c3d4eaaaa4bbb8ccc0123456789ab")]
    [InlineData("0000:00:02.8")]
    [InlineData("0000:00:20.0")]
    [InlineData("0:00:02.0")]
    [InlineData("00:02")]
    [InlineData("/dev/vfio/12")]
    [InlineData("/dev/vfio/devices/vfio")]
    [InlineData("vfio3")]
    public void Parse_UnknownForm_ListsTheAcceptedForms(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));

        Assert.Contains($"'{text}' is not a device spec", e.Message, StringComparison.Ordinal);
        Assert.Contains("sim", e.Message, StringComparison.Ordinal);
        Assert.Contains("mdev UUID", e.Message, StringComparison.Ordinal);
        Assert.Contains("PCI address", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/vfio/devices/vfioN", e.Message, StringComparison.Ordinal);
        Assert.Contains("fd:N", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fd:")]
    [InlineData("fd:-1")]
    [InlineData("fd:+3")]
    [InlineData("fd:x")]
    [InlineData("fd:3.0")]
    [InlineData("fd:99999999999")]
    public void Parse_BadFd_SaysWhatNIsNeeded(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));

        Assert.Contains("fd:N needs a file descriptor number N >= 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SysfsPathUnderFakeRoot_ResolvesThroughLinksToTheDevice()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddParent("pci0000:00/0000:00:02.0", ("i915-GVTg_V5_4", null, null, "1"));
        string mdev = sysfs.AddMdev("pci0000:00/0000:00:02.0", "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", "i915-GVTg_V5_4", "vfio_mdev", 3);
        var tree = new SysfsTree(sysfs.Root);
        Directory.CreateDirectory(Path.Combine(sysfs.Root, "class", "drm"));
        Directory.CreateSymbolicLink(Path.Combine(sysfs.Root, "class", "drm", "card0"), "../../devices/pci0000:00/0000:00:02.0/drm/card0");
        Directory.CreateDirectory(Path.Combine(sysfs.Root, "devices", "pci0000:00", "0000:00:02.0", "drm", "card0"));

        Directory.CreateDirectory(Path.Combine(mdev, "power"));

        Assert.Equal("1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", DeviceSpec.Parse(Path.Combine(sysfs.Root, "bus/mdev/devices/1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab"), tree).Value);
        Assert.Equal("1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab", DeviceSpec.Parse(Path.Combine(mdev, "power"), tree).Value);
        // mdev_type/.. is the parent's mdev_supported_types: it names the parent, not the mdev.
        Assert.Equal("0000:00:02.0", DeviceSpec.Parse(Path.Combine(mdev, "mdev_type", ".."), tree).Value);
        DeviceSpec card = DeviceSpec.Parse(Path.Combine(sysfs.Root, "class", "drm", "card0"), tree);
        Assert.Equal(DeviceSpecKind.Pci, card.Kind);
        Assert.Equal("0000:00:02.0", card.Value);
    }

    [Fact]
    public void Parse_SysfsPathNamingNoDevice_SaysWhy()
    {
        using var sysfs = new FakeSysfs();
        string module = sysfs.Dir("module", "vfio");
        var tree = new SysfsTree(sysfs.Root);

        var missing = Assert.Throws<FormatException>(() => DeviceSpec.Parse(Path.Combine(sysfs.Root, "bus", "nothing"), tree));
        var notDevice = Assert.Throws<FormatException>(() => DeviceSpec.Parse(module, tree));

        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains($"resolves to {module}, which is inside no mdev or PCI device", notDevice.Message, StringComparison.Ordinal);
    }
}
