using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.VfioPlanes.Tests.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Opening;

/// <summary>The factory sends `sim` specs to the simulated vGPU and every other spec to the VFIO opener.</summary>
public sealed class DeviceFactoryTests : IDisposable
{
    private const string Uuid = "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab";
    private readonly FakeHost _host = new();

    private FakeSysfs Sysfs => _host.Sysfs;

    private string Dev => _host.Dev;

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("sim", "sim", true, false)]
    [InlineData("sim:mbochs", "sim:mbochs", true, false)]
    [InlineData("sim:mdpy,800x600", "sim:mdpy,800x600", false, true)]
    public void Open_SimSpec_OpensTheSimulatedVgpu_WithNoSysfsEntryToWatch(string spec, string name, bool dmabuf, bool region)
    {
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse(spec), new SysfsTree(Sysfs.Root), Dev);

        Assert.IsType<SimulatedVgpu>(device.Raw);
        Assert.Equal(name, device.Name);
        Assert.Equal(spec, device.Spec);
        Assert.Null(device.PresencePath);
        Assert.Equal(new PlaneSupport(dmabuf, region), device.Probe());
    }

    [Fact]
    public void Open_SimSpecWithUnknownOption_ThrowsTheSimulationsMessage()
    {
        var e = Assert.Throws<SimOptionsException>(() => DeviceFactory.Open(DeviceSpec.Parse("sim:warp"), new SysfsTree(Sysfs.Root), Dev));
        Assert.Contains("warp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MdevSpec_GoesToTheVfioOpener()
    {
        Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-1", "small", "4 MB", "1"));
        var tree = new SysfsTree(Sysfs.Root);

        // No mdev with this UUID in the fake sysfs: the opener's own message, naming it.
        var e = Assert.Throws<DeviceOpenException>(() => DeviceFactory.Open(DeviceSpec.Parse(Uuid, tree), tree, Dev));
        Assert.Contains(Uuid, e.Message, StringComparison.Ordinal);
    }
}
