using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes.Discovery;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>The opener vgpuview builds from VGPUVIEW_SYSFS and VGPUVIEW_DEV, against a fake tree.</summary>
public sealed class DeviceOpenerTests : IDisposable
{
    private const string Uuid = "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab";
    private readonly FakeSysfs _sysfs = new();
    private readonly string _dev = Directory.CreateTempSubdirectory("vgpuview-dev-").FullName;

    public DeviceOpenerTests()
    {
        _sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "1"));
        _sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-1", "vfio_mdev", group: 12);
    }

    public void Dispose()
    {
        _sysfs.Dispose();
        Directory.Delete(_dev, recursive: true);
    }

    [Theory]
    [InlineData("bus/mdev/devices/" + Uuid)]
    [InlineData("devices/virtual/mbochs/mbochs/" + Uuid + "/")]
    public void Info_SysfsPathUnderTheOpenersRoot_NamesTheMdevItResolvesTo(string relative)
    {
        // The fake /dev has no vfio nodes: the spec is taken, and opening then fails as for the UUID.
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(_sysfs.Root), _dev));

        int code = cli.Run("info", Path.Combine(_sysfs.Root, relative));

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Equal($"vgpuview: {_dev}/vfio/vfio does not exist: the vfio module is not loaded: modprobe vfio vfio_iommu_type1", cli.Error.ToString().TrimEnd());
    }

    [Fact]
    public void Info_SysfsPathOutsideAnyDevice_IsAUsageError()
    {
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(_sysfs.Root), _dev));

        int code = cli.Run("info", Path.Combine(_sysfs.Root, "class", "mdev_bus"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is not a device spec: a sysfs path must name an mdev", cli.Error.ToString());
    }
}
