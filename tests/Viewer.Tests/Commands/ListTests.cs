using System.Text.Json;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes.Discovery;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

public sealed class ListTests : IDisposable
{
    private const string Uuid = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
    private readonly FakeSysfs _sysfs = new();

    public void Dispose() => _sysfs.Dispose();

    [Fact]
    public void List_EmptyMachine_SaysSoAndSucceeds()
    {
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(_sysfs.Root), "/dev"));

        int code = cli.Run("list");

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("No mdev parents, mdev devices or VFIO PCI devices", cli.Output.ToString());
    }

    [Fact]
    public void List_Json_ShowsParentsTypesMdevsAndVfioPciDevices()
    {
        _sysfs.AddParent("mbochs", ("mbochs-1", "mbochs-small", "4 MB video memory", "3"), ("mbochs-2", "mbochs-large", null, "1"));
        _sysfs.AddMdev("mbochs", Uuid, "mbochs-1", "vfio_mdev", group: 7);
        _sysfs.AddPci("0000:00:02.0", "vfio-pci", group: 3);
        _sysfs.AddPci("0000:00:03.0", "e1000e", group: 4);
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(_sysfs.Root), "/dev"));

        int code = cli.Run("list", "--json");

        Assert.Equal(ExitCodes.Success, code);
        JsonElement root = JsonDocument.Parse(cli.Output.ToString()).RootElement;
        JsonElement parent = Assert.Single(root.GetProperty("parents").EnumerateArray());
        Assert.Equal("mbochs", parent.GetProperty("name").GetString());
        JsonElement[] types = parent.GetProperty("types").EnumerateArray().OrderBy(t => t.GetProperty("id").GetString()).ToArray();
        Assert.Equal(["mbochs-1", "mbochs-2"], types.Select(t => t.GetProperty("id").GetString()));
        Assert.Equal("mbochs-small", types[0].GetProperty("name").GetString());
        Assert.Equal(3, types[0].GetProperty("available_instances").GetInt32());
        Assert.Equal(JsonValueKind.Null, types[1].GetProperty("description").ValueKind);

        JsonElement mdev = Assert.Single(root.GetProperty("mdevs").EnumerateArray());
        Assert.Equal(Uuid, mdev.GetProperty("uuid").GetString());
        Assert.Equal("mbochs-1", mdev.GetProperty("type").GetString());
        Assert.Equal("vfio_mdev", mdev.GetProperty("driver").GetString());
        Assert.Equal(7, mdev.GetProperty("iommu_group").GetInt32());

        JsonElement pci = Assert.Single(root.GetProperty("pci").EnumerateArray()); // e1000e is not a VFIO device
        Assert.Equal("0000:00:02.0", pci.GetProperty("address").GetString());
        Assert.Equal(3, pci.GetProperty("iommu_group").GetInt32());
    }

    [Fact]
    public void List_Text_OneLinePerTypeAndDevice()
    {
        _sysfs.AddParent("mdpy", ("mdpy-vga", "vga", "virtual display, 640x480", "2"));
        _sysfs.AddMdev("mdpy", Uuid, "mdpy-vga", null, group: 12);
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(_sysfs.Root), "/dev"));

        int code = cli.Run("list");

        Assert.Equal(ExitCodes.Success, code);
        string text = cli.Output.ToString();
        Assert.Contains("parent mdpy", text);
        Assert.Contains("  type mdpy-vga  name vga  available 2  api vfio-pci", text);
        Assert.Contains($"mdev {Uuid}  type mdpy-vga  parent mdpy  driver none  iommu_group 12", text);
    }
}
