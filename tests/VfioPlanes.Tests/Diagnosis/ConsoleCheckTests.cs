using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Diagnosis;
using Xunit;
using static VgpuView.VfioPlanes.Tests.Diagnosis.HostFixtures;

namespace VgpuView.VfioPlanes.Tests.Diagnosis;

public class ConsoleCheckTests
{
    [Fact]
    public void IntelIgpuUnderEfifb_Kernel61_NamesEfifbInBar2AndSaysBindingRemovesIt()
    {
        using FakeHost host = IntelIgpuUnderEfifb();

        DoctorCheck check = Console(host, Igpu);

        Assert.Equal(CheckStatus.Warning, check.Status);
        ConsoleClaim claim = Assert.Single(check.Claims);
        Assert.Equal(new ConsoleClaim(2, 0x4000000000, 0x40007e8fff, "efifb", IsConsole: true), claim);
        Assert.Contains("boot VGA; held by efifb at 0x4000000000-0x40007e8fff (BAR 2)", check.Found);
        Assert.Contains("binding vfio-pci will remove it on this kernel (6.1.0-57-amd64", check.Found);
        Assert.Contains("goes dark", check.Found);
    }

    [Fact]
    public void IntelIgpuUnderEfifb_Kernel515_IsAProblemWithTheBootOptionsAndTheVtconsoleToUnbind()
    {
        using FakeHost host = IntelIgpuUnderEfifb(kernel: "5.15.0-91-generic");

        DoctorCheck check = Console(host, Igpu);

        Assert.Equal(CheckStatus.Problem, check.Status);
        Assert.Contains("older than 6.0", check.Found);
        Assert.Contains("boot with video=efifb:off", check.Fix);
        // fbcon on vtcon1 sits on efifb: unbinding it lets go now.
        Assert.Contains($"echo 0 > {Path.Combine(host.Sys, "class", "vtconsole", "vtcon1", "bind")}", check.Fix);
        Assert.DoesNotContain("vtcon0", check.Fix);
    }

    [Fact]
    public void IntelIgpuUnderSimpledrmsBootfb_Kernel515_AdvisesNoSysfbAtAll()
    {
        using FakeHost host = IntelIgpuUnderEfifb(kernel: "5.19.0-1-amd64", claimName: "BOOTFB");

        DoctorCheck check = Console(host, Igpu);

        Assert.Equal(CheckStatus.Problem, check.Status);
        Assert.Equal("BOOTFB", Assert.Single(check.Claims).Name);
        Assert.Contains("initcall_blacklist=sysfb_init", check.Fix);
    }

    [Fact]
    public void DiscreteGpuUnderVesafbWithVgacon_Kernel61_NamesBothAndSaysBindingRemovesThem()
    {
        using FakeHost host = DiscreteGpuUnderVesafb();

        DoctorCheck check = Console(host, Dgpu);

        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Equal([new ConsoleClaim(1, 0xe0000000, 0xe02fffff, "vesafb", true)], check.Claims);
        Assert.Contains("held by vesafb at 0xe0000000-0xe02fffff (BAR 1), vgacon on vtcon0 (\"(S) VGA+\")", check.Found);
        Assert.Contains("binding vfio-pci will remove them", check.Found);
    }

    [Fact]
    public void DiscreteGpuUnderVesafbWithVgacon_Kernel510_AdvisesVesafbOffAndUnbindingVgacon()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(kernel: "5.10.0-28-amd64");

        DoctorCheck check = Console(host, Dgpu);

        Assert.Equal(CheckStatus.Problem, check.Status);
        Assert.Contains("boot with video=vesafb:off", check.Fix);
        Assert.Contains($"echo 0 > {Path.Combine(host.Sys, "class", "vtconsole", "vtcon0", "bind")}", check.Fix);
    }

    [Fact]
    public void GpuOnVfioPciWithTheConsoleGone_IsOkAndVfioPcisOwnClaimIsNoConsole()
    {
        using FakeHost host = DiscreteGpuUnderVesafb(gpuDriver: "vfio-pci", audioDriver: "vfio-pci", consoleGone: true);

        DoctorCheck check = Console(host, Dgpu);

        Assert.Equal(CheckStatus.Ok, check.Status);
        Assert.Equal([new ConsoleClaim(1, 0xe0000000, 0xefffffff, "vfio-pci", false)], check.Claims);
        Assert.Contains("no console or firmware framebuffer holds its BARs; claimed by vfio-pci", check.Found);
        Assert.Null(check.Fix);
    }

    [Fact]
    public void GpuOnVfioPciWithVesafbStill_IsAProblem()
    {
        // A 5.x kernel binds vfio-pci and leaves vesafb where it was.
        using FakeHost host = DiscreteGpuUnderVesafb(kernel: "5.10.0-28-amd64", gpuDriver: "vfio-pci", audioDriver: "vfio-pci");

        DoctorCheck check = Console(host, Dgpu);

        Assert.Equal(CheckStatus.Problem, check.Status);
        Assert.Contains("conflict with vfio-pci's mappings", check.Found);
        Assert.Contains("video=vesafb:off", check.Fix);
    }

    [Fact]
    public void NonVgaDisplayController_Kernel61_IsAProblemBecauseVfioPciClearsOnlyVgaClass()
    {
        using FakeHost host = IntelIgpuUnderEfifb();
        File.WriteAllText(Path.Combine(host.Sys, "bus", "pci", "devices", Igpu, "class"), "0x038000\n");

        DoctorCheck check = Console(host, Igpu);

        Assert.Equal(CheckStatus.Problem, check.Status);
        Assert.Contains("only from a VGA-class device, and this one is class 0x038000", check.Found);
    }

    [Fact]
    public void IomemReadByAUser_AddressesAllZero_SaysToRunAsRoot()
    {
        using FakeHost host = IntelIgpuUnderEfifb();
        host.WriteProc("iomem", "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n  00000000-00000000 : efifb\n");

        DoctorCheck check = Console(host, Igpu);

        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("shows no addresses to this user", check.Found);
        Assert.Contains("as root", check.Fix);
        Assert.Empty(check.Claims);
    }

    [Fact]
    public void ProcIomem_Parse_KeepsNestingNamesAndSkipsJunk()
    {
        ProcIomem iomem = ProcIomem.Parse("00000000-00000fff : Reserved\n  4000000000-400fffffff : 0000:00:02.0\n    4000000000-40007e8fff : efifb\nnot a line\nzz-yy : x\n");

        Assert.Equal(
            [new IomemRegion(0, 0xfff, "Reserved", 0), new IomemRegion(0x4000000000, 0x400fffffff, "0000:00:02.0", 1), new IomemRegion(0x4000000000, 0x40007e8fff, "efifb", 2)],
            iomem.Regions);
        Assert.False(iomem.AddressesHidden);
    }

    [Fact]
    public void PciFunction_ParseBars_KeepsMemoryBarsOnly()
    {
        string resource = "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n" +
            "0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x0000000000000000 0x0000000000000000 0x0000000000000000\n" +
            "0x0000000000000000 0x0000000000000000 0x0000000000000000\n0x000000000000e000 0x000000000000e07f 0x0000000000040101\n" +
            "0x00000000000c0000 0x00000000000dffff 0x0000000000000212\n";

        List<PciBar> bars = PciFunction.ParseBars(resource);

        Assert.Equal([new PciBar(0, 0xf6000000, 0xf6ffffff), new PciBar(1, 0xe0000000, 0xefffffff)], bars);
        Assert.Equal(0x10000000UL, bars[1].Size);
    }

    private static DoctorCheck Console(FakeHost host, string address)
    {
        HostRoots roots = host.Roots();
        PciFunction pci = PciFunction.Read(roots, address) ?? throw new InvalidOperationException($"fixture has no {address}");
        return ConsoleCheck.Run(roots, pci, KernelVersion.Read(roots));
    }
}
