using System.Text.Json;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes.Diagnosis;
using VgpuView.VfioPlanes.Discovery;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

public sealed class DoctorCommandTests
{
    private const string Gpu = "0000:01:00.0";

    [Fact]
    public void Doctor_Sim_NoProblem_ExitsZeroWithoutTheHostChecks()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("doctor", "sim"));

        string[] lines = cli.Output.ToString().TrimEnd().Split('\n');
        Assert.StartsWith("ok       device         sim: the simulated vGPU", lines[0]);
        Assert.DoesNotContain(lines, l => l.Length > 9 && l[9..].Split(' ')[0] is "kernel" or "modules" or "iommu");
        Assert.DoesNotContain(lines, l => l.StartsWith("problem", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ok       display.edid ", StringComparison.Ordinal));
        Assert.Matches("^doctor: 0 problems, [0-9]+ warnings?$", lines[^1]);
    }

    [Fact]
    public void Doctor_SimMbochs_Json_EdidLinkIsAProblem_ExitsOne()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("doctor", "sim:mbochs", "--json"));

        using JsonDocument doc = JsonDocument.Parse(cli.Output.ToString());
        JsonElement root = doc.RootElement;
        Assert.Equal("sim:mbochs", root.GetProperty("device").GetString());
        Assert.Equal(1, root.GetProperty("problems").GetInt32());
        JsonElement[] checks = [.. root.GetProperty("checks").EnumerateArray()];
        Assert.All(checks, c => Assert.Equal(["id", "status", "looked", "found", "fix"], c.EnumerateObject().Select(p => p.Name)));
        JsonElement edid = checks.Single(c => c.GetProperty("id").GetString() == "display.edid");
        Assert.Equal("problem", edid.GetProperty("status").GetString());
        Assert.Contains("vgpuview edid sim:mbochs --mode 1024x768", edid.GetProperty("fix").GetString());
        Assert.Equal(checks.Count(c => c.GetProperty("status").GetString() == "warning"), root.GetProperty("warnings").GetInt32());
    }

    [Fact]
    public void Doctor_SimGvt_TheDriversOwnMonitorWithTheLinkUnset_IsNoProblem()
    {
        // kvmgt makes each vGPU's monitor and EDID itself and leaves link_state 0 until a VMM
        // writes it: the guest has a display, so doctor must not send the user to `edid`.
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("doctor", "sim:gvt"));

        string edid = cli.Output.ToString().Split('\n').Single(l => l.StartsWith("ok       display.edid ", StringComparison.Ordinal));
        Assert.Contains("link not set by any VMM, the driver's own blob of 128 bytes", edid);
    }

    [Theory]
    [InlineData("not-a-device")]
    [InlineData("sim:nonsense")]
    public void Doctor_BadSpec_IsUsage(string spec)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("doctor", spec));
        Assert.StartsWith("vgpuview: ", cli.Error.ToString());
        Assert.Empty(cli.Output.ToString());
    }

    [Fact]
    public void Doctor_TwoDevices_IsUsage() => Assert.Equal(ExitCodes.Usage, new CliRunner().Run("doctor", "sim", "sim:mdpy"));

    [Fact]
    public void Doctor_BootGpuBeforeBinding_NamesVesafbInJson_AndFailsOnTheDriver()
    {
        using FakeHost host = BootGpuUnderVesafb();
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(host.Sys), host.Dev));
        var context = new CommandContext { Output = cli.Output, Error = cli.Error, Opener = cli.Opener };

        int code = new DoctorHandler(context, new HostRoots(host.Sys, host.Proc, host.Dev)).Run(Gpu, json: true);

        Assert.Equal(ExitCodes.DeviceFailure, code);
        using JsonDocument doc = JsonDocument.Parse(cli.Output.ToString());
        Assert.Equal("6.1.0-57-amd64", doc.RootElement.GetProperty("kernel").GetString());
        JsonElement[] checks = [.. doc.RootElement.GetProperty("checks").EnumerateArray()];
        Assert.Equal("problem", checks.Single(c => c.GetProperty("id").GetString() == "driver").GetProperty("status").GetString());
        Assert.DoesNotContain(checks, c => c.GetProperty("id").GetString() == "display.probe");
        Assert.Equal("info", checks.Single(c => c.GetProperty("id").GetString() == "open").GetProperty("status").GetString());
        JsonElement console = checks.Single(c => c.GetProperty("id").GetString() == "console");
        Assert.Equal("warning", console.GetProperty("status").GetString());
        JsonElement claim = Assert.Single(console.GetProperty("claims").EnumerateArray());
        Assert.Equal(1, claim.GetProperty("bar").GetInt32());
        Assert.Equal("0xe0000000", claim.GetProperty("start").GetString());
        Assert.Equal("0xe02fffff", claim.GetProperty("end").GetString());
        Assert.Equal("vesafb", claim.GetProperty("name").GetString());
        Assert.True(claim.GetProperty("console").GetBoolean());
    }

    [Fact]
    public void Doctor_BootGpuBeforeBinding_Text_OneLinePerCheckWithTheFix()
    {
        using FakeHost host = BootGpuUnderVesafb();
        var cli = new CliRunner(new DeviceOpener(new SysfsTree(host.Sys), host.Dev));
        var context = new CommandContext { Output = cli.Output, Error = cli.Error, Opener = cli.Opener };

        Assert.Equal(ExitCodes.DeviceFailure, new DoctorHandler(context, new HostRoots(host.Sys, host.Proc, host.Dev)).Run(Gpu, json: false));

        string[] lines = cli.Output.ToString().TrimEnd().Split('\n');
        Assert.Equal(["kernel", "modules", "nodes", "iommu", "device", "driver", "group", "console", "open", "render.egl"],
            lines.Take(10).Select(l => l[9..].Split(' ')[0]));
        string driver = lines.Single(l => l.StartsWith("problem  driver ", StringComparison.Ordinal));
        Assert.Contains($": bound to no driver, not to vfio-pci -> fix: modprobe vfio-pci; echo vfio-pci > {host.Sys}/bus/pci/devices/{Gpu}/driver_override", driver);
        Assert.Contains("held by vesafb at 0xe0000000-0xe02fffff (BAR 1)", lines.Single(l => l.StartsWith("warning  console ", StringComparison.Ordinal)));
        Assert.Matches("^doctor: 1 problem, [0-9]+ warnings?$", lines[^1]);
    }

    // A desktop booted in a VESA mode with its GPU as boot VGA, nothing bound yet, on 6.1.
    private static FakeHost BootGpuUnderVesafb()
    {
        var host = new FakeHost();
        host.AddIommu();
        host.LoadModules("vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio");
        host.AddPci(Gpu, driver: null, group: 13, pciClass: 0x030000, bootVga: true, (0, 0xf6000000, 0xf6ffffff, 0x40200), (1, 0xe0000000, 0xefffffff, 0x14220c));
        host.WriteProc("iomem", "c0000000-febfffff : PCI Bus 0000:00\n  e0000000-efffffff : 0000:01:00.0\n    e0000000-e02fffff : vesafb\n  f6000000-f6ffffff : 0000:01:00.0\n");
        host.AddVtConsole(0, "(S) dummy device", bound: false);
        host.AddVtConsole(1, "(M) frame buffer device", bound: true);
        host.AddNode("vfio/vfio");
        return host;
    }
}
