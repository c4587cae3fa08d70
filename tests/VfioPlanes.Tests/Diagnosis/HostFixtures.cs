using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Diagnosis;

namespace VgpuView.VfioPlanes.Tests.Diagnosis;

/// <summary>
/// Fake hosts shaped after what real machines show in sysfs, /proc/iomem and
/// /sys/class/vtconsole: a laptop's Intel iGPU under efifb, a desktop's discrete GPU booted
/// under vesafb with vgacon, the same GPU once on vfio-pci, and a machine with no IOMMU.
/// </summary>
internal static class HostFixtures
{
    public const string Igpu = "0000:00:02.0";
    public const string Dgpu = "0000:01:00.0";
    public const string DgpuAudio = "0000:01:00.1";

    // sysfs resource flags: a 64-bit prefetchable memory BAR, a 32-bit one, and an I/O BAR.
    public const ulong Mem64Pref = 0x14220c;
    public const ulong Mem32 = 0x40200;
    public const ulong Io = 0x40101;

    public static HostRoots Roots(this FakeHost host) => new(host.Sys, host.Proc, host.Dev);

    /// <summary>
    /// A Tiger Lake laptop booted through UEFI with i915 kept off (blacklisted to assign the
    /// iGPU): efifb holds the start of BAR 2, the graphics aperture; fbcon is on vtcon1.
    /// </summary>
    public static FakeHost IntelIgpuUnderEfifb(string kernel = "6.1.0-57-amd64", string claimName = "efifb")
    {
        var host = new FakeHost(kernel);
        host.AddIommu("dmar0");
        host.AddIommu("dmar1");
        host.WriteProc("cmdline", $"BOOT_IMAGE=/boot/vmlinuz-{kernel} root=UUID=0b4c8e4e ro quiet intel_iommu=on module_blacklist=i915");
        host.LoadModules("vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio", "irqbypass");
        host.AddPci(Igpu, driver: null, group: 0, pciClass: 0x030000, bootVga: true,
            (0, 0x6000000000, 0x6000ffffff, Mem64Pref), (2, 0x4000000000, 0x400fffffff, Mem64Pref), (4, 0x3000, 0x303f, Io));
        host.WriteProc("iomem", $"""
            00000000-00000fff : Reserved
            00001000-0009efff : System RAM
            000a0000-000fffff : Reserved
              000a0000-000bffff : PCI Bus 0000:00
              000f0000-000fffff : System ROM
            00100000-3a8f4017 : System RAM
            80000000-dfffffff : PCI Bus 0000:00
              c0000000-cfffffff : 0000:00:02.0
            fed90000-fed90fff : dmar0
            fed91000-fed91fff : dmar1
            4000000000-7fffffffff : PCI Bus 0000:00
              4000000000-400fffffff : 0000:00:02.0
                4000000000-40007e8fff : {claimName}
              6000000000-6000ffffff : 0000:00:02.0
              6001000000-60010fffff : 0000:00:1f.3
            """);
        host.AddVtConsole(0, "(S) dummy device", bound: false);
        host.AddVtConsole(1, "(M) frame buffer device", bound: true);
        host.AddNode("vfio/vfio");
        return host;
    }

    /// <summary>
    /// A desktop booted through the BIOS with its discrete GPU as boot VGA, nouveau kept off:
    /// vesafb holds the start of BAR 1 (VRAM), vgacon is bound to vtcon0; the GPU's HDMI audio
    /// function shares its group.
    /// </summary>
    public static FakeHost DiscreteGpuUnderVesafb(string kernel = "6.1.0-57-amd64", string? gpuDriver = null, string? audioDriver = null, bool consoleGone = false)
    {
        var host = new FakeHost(kernel);
        host.AddIommu("dmar0");
        host.WriteProc("cmdline", $"BOOT_IMAGE=/boot/vmlinuz-{kernel} root=UUID=51e0a7c2 ro intel_iommu=on vga=0x318 modprobe.blacklist=nouveau");
        host.LoadModules("snd_hda_intel", "vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio", "irqbypass");
        host.AddPci("0000:00:01.0", "pcieport", group: 1, pciClass: 0x060400);
        host.AddPci(Dgpu, gpuDriver, group: 13, pciClass: 0x030000, bootVga: true,
            (0, 0xf6000000, 0xf6ffffff, Mem32), (1, 0xe0000000, 0xefffffff, Mem64Pref), (3, 0xf0000000, 0xf1ffffff, Mem64Pref), (5, 0xe000, 0xe07f, Io));
        host.AddPci(DgpuAudio, audioDriver, group: 13, pciClass: 0x040300, bootVga: null, (0, 0xf7080000, 0xf7083fff, Mem32));
        string vfioChild = gpuDriver == "vfio-pci" ? "\n        e0000000-efffffff : vfio-pci" : string.Empty;
        string vesafb = consoleGone ? string.Empty : "\n        e0000000-e02fffff : vesafb";
        host.WriteProc("iomem", $"""
            00000000-00000fff : Reserved
            000a0000-000bffff : PCI Bus 0000:00
            000c0000-000ce9ff : Video ROM
            00100000-bfecffff : System RAM
            c0000000-febfffff : PCI Bus 0000:00
              e0000000-f1ffffff : PCI Bus 0000:01
                e0000000-efffffff : 0000:01:00.0{vfioChild}{vesafb}
                f0000000-f1ffffff : 0000:01:00.0
              f6000000-f70fffff : PCI Bus 0000:01
                f6000000-f6ffffff : 0000:01:00.0
                f7080000-f7083fff : 0000:01:00.1
                  f7080000-f7083fff : ICH HD audio
            fed90000-fed90fff : dmar0
            """);
        host.AddVtConsole(0, "(S) VGA+", bound: !consoleGone);
        host.AddNode("vfio/vfio");
        if (gpuDriver == "vfio-pci")
        {
            host.AddNode("vfio/13");
        }

        return host;
    }

    /// <summary>A machine whose firmware has VT-d off: no /sys/class/iommu entry, no groups.</summary>
    public static FakeHost NoIommu(string cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-57-amd64 root=UUID=0b4c8e4e ro quiet")
    {
        var host = new FakeHost();
        host.WriteProc("cmdline", cmdline);
        host.LoadModules("vfio_iommu_type1", "vfio");
        host.AddPci(Dgpu, driver: null, group: null, pciClass: 0x030000, bootVga: false, (0, 0xf6000000, 0xf6ffffff, Mem32));
        host.AddNode("vfio/vfio");
        return host;
    }
}
