namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>
/// The boot console over a GPU's BARs: which console or firmware framebuffer driver holds a
/// piece of a display device's memory BARs (/proc/iomem), whether vgacon is bound to a
/// virtual terminal, and what binding vfio-pci does about them on this kernel.
/// </summary>
/// <remarks>
/// The kernel facts behind the advice:
/// - drivers/firmware/sysfb.c registers the firmware framebuffer as a platform device at boot
///   (sysfb_init): "simple-framebuffer" when CONFIG_SYSFB_SIMPLEFB is set and the mode fits
///   (its resource is named "BOOTFB" in drivers/firmware/sysfb_simplefb.c; simplefb or simpledrm
///   drives it), else "efi-framebuffer" (efifb) or "vesa-framebuffer" (vesafb, which claims its
///   range as "vesafb": seen on Debian's 6.1, which leaves CONFIG_SYSFB_SIMPLEFB unset). sysfb_disable() there
///   unregisters that device and keeps any later one from appearing.
/// - drivers/video/aperture.c (the aperture helpers, from 6.0): aperture_remove_conflicting_pci_devices()
///   walks every memory BAR, removes the generic drivers whose framebuffer lies in it (calling
///   sysfb_disable()), also the legacy VGA range when the device is the primary one (its ROM
///   shadowed at 0xc0000), and then vgacon (vga_remove_vgacon).
/// - drivers/vfio/pci/vfio_pci_core.c calls it from vfio_pci_vga_init() since "vfio/pci: Remove
///   console drivers" (Linux 6.0), and only for a VGA-class device (vfio_pci_is_vga): binding
///   vfio-pci to a boot GPU takes the console away, and the screen goes dark. Older kernels, and
///   display controllers of another class (3D, 0x0302), keep the console: video=efifb:off
///   (vesafb:off), initcall_blacklist=sysfb_init, or unbinding the vtconsole by hand.
/// </remarks>
public static class ConsoleCheck
{
    /// <summary>Names /proc/iomem shows for firmware framebuffers and boot console drivers (6.x kernels).</summary>
    public static readonly IReadOnlySet<string> ConsoleNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "BOOTFB", "vesafb", "efifb", "simple-framebuffer", "simplefb", "simpledrm", "vesadrm", "efidrm", "ofdrm", "vga16fb",
    };

    public static DoctorCheck Run(HostRoots roots, PciFunction pci, KernelVersion? kernel)
    {
        string iomemPath = roots.ProcPath("iomem");
        string vtDir = roots.SysPath("class", "vtconsole");
        string looked = $"{Path.Combine(pci.SysfsPath, "boot_vga")}, {Path.Combine(pci.SysfsPath, "resource")}, {iomemPath}, {vtDir}";
        string bootVga = pci.BootVga switch { true => "boot VGA", false => "not the boot VGA", null => "no boot_vga" };
        ProcIomem? iomem = ProcIomem.Read(roots);
        if (iomem is null || iomem.AddressesHidden)
        {
            return new DoctorCheck("console", CheckStatus.Warning, looked,
                $"{bootVga}; {iomemPath} {(iomem is null ? "cannot be read" : "shows no addresses to this user")}, so who holds its BARs is unknown",
                "run vgpuview doctor as root to see /proc/iomem's addresses");
        }

        List<ConsoleClaim> claims = Claims(iomem, pci);
        List<VtConsole> vts = VtConsoles(vtDir);
        VtConsole? vgacon = vts.FirstOrDefault(v => v.Bound && v.Name.Contains("VGA", StringComparison.Ordinal));
        // vgacon drives the legacy VGA window, which belongs to the boot VGA device.
        bool vgaconHere = vgacon is not null && pci.BootVga == true;
        var consoles = claims.Where(c => c.IsConsole).ToList();
        var held = new List<string>(consoles.Select(c => c.ToString()));
        if (vgaconHere)
        {
            held.Add($"vgacon on {vgacon!.Id} (\"{vgacon.Name}\")");
        }

        string others = string.Join(", ", claims.Where(c => !c.IsConsole).Select(c => c.ToString()));
        string found = held.Count == 0
            ? $"{bootVga}; no console or firmware framebuffer holds its BARs" + (others.Length > 0 ? $"; claimed by {others}" : string.Empty)
            : $"{bootVga}; held by {string.Join(", ", held)}" + (others.Length > 0 ? $"; also claimed by {others}" : string.Empty);
        if (held.Count == 0)
        {
            return new DoctorCheck("console", CheckStatus.Ok, looked, found) { Claims = claims };
        }

        bool removes = kernel is not null && kernel.AtLeast(6, 0) && pci.IsVga;
        string manual = ManualFix(consoles, vgaconHere ? vgacon : null, vts);
        if (pci.IsVfioBound)
        {
            // Still there after vfio-pci bound: an old kernel, or a class vfio-pci does not clear.
            return new DoctorCheck("console", CheckStatus.Problem, looked,
                found + "; they conflict with vfio-pci's mappings of those BARs", manual) { Claims = claims };
        }

        if (removes)
        {
            return new DoctorCheck("console", CheckStatus.Warning, looked,
                found + $"; binding vfio-pci will remove {(held.Count == 1 ? "it" : "them")} on this kernel ({kernel!.Release}: vfio-pci removes console drivers from a VGA device since 6.0), and the console on this GPU goes dark",
                "use another console (serial, ssh, another GPU) before binding") { Claims = claims };
        }

        string why = !pci.IsVga
            ? $"vfio-pci removes console drivers only from a VGA-class device, and this one is class 0x{pci.Class:x6}"
            : $"this kernel ({kernel?.Release ?? "unknown"}) is older than 6.0, whose vfio-pci removes them";
        string they = held.Count == 1 ? "it stays" : "they stay";
        return new DoctorCheck("console", CheckStatus.Problem, looked, found + $"; {why}: {they} after binding and conflict with the device's use", manual) { Claims = claims };
    }

    /// <summary>The regions inside the device's memory BARs claimed by anyone but the PCI core's own BAR entry.</summary>
    public static List<ConsoleClaim> Claims(ProcIomem iomem, PciFunction pci)
    {
        var claims = new List<ConsoleClaim>();
        foreach (PciBar bar in pci.MemoryBars)
        {
            foreach (IomemRegion r in iomem.Regions)
            {
                // The BAR's own entry is named after the device; its ancestors (the bus window)
                // span it; only what lies within the BAR is someone's claim on it.
                if (r.Name == pci.Address || r.Start < bar.Start || r.End > bar.End || !r.Overlaps(bar.Start, bar.End))
                {
                    continue;
                }

                claims.Add(new ConsoleClaim(bar.Index, r.Start, r.End, r.Name, ConsoleNames.Contains(r.Name)));
            }
        }

        return claims;
    }

    private static string ManualFix(List<ConsoleClaim> consoles, VtConsole? vgacon, List<VtConsole> vts)
    {
        var steps = new List<string>();
        if (consoles.Any(c => c.Name is "efifb"))
        {
            steps.Add("boot with video=efifb:off");
        }

        if (consoles.Any(c => c.Name is "vesafb"))
        {
            steps.Add("boot with video=vesafb:off");
        }

        if (consoles.Any(c => c.Name is "BOOTFB" or "simple-framebuffer" or "simplefb" or "simpledrm" or "vesadrm" or "efidrm"))
        {
            steps.Add("boot with initcall_blacklist=sysfb_init (no firmware framebuffer device at all)");
        }

        // fbcon over the firmware framebuffer, or vgacon: unbinding the vtconsole lets go of it now, until reboot.
        foreach (VtConsole vt in vts.Where(v => v.Bound && (v == vgacon || v.Name.Contains("frame buffer", StringComparison.Ordinal))))
        {
            steps.Add($"now: echo 0 > {vt.BindPath}");
        }

        return steps.Count == 0 ? "unbind the driver that claims the range, or boot without it" : string.Join("; ", steps);
    }

    private static List<VtConsole> VtConsoles(string dir)
    {
        var list = new List<VtConsole>();
        foreach (string id in HostRoots.Names(dir))
        {
            string path = Path.Combine(dir, id);
            list.Add(new VtConsole(id, HostRoots.ReadText(Path.Combine(path, "name")) ?? "?", HostRoots.ReadText(Path.Combine(path, "bind")) == "1", Path.Combine(path, "bind")));
        }

        return list;
    }

    /// <summary>A /sys/class/vtconsole/vtconN entry: "(S) VGA+", "(M) frame buffer device", "(S) dummy device".</summary>
    private sealed record VtConsole(string Id, string Name, bool Bound, string BindPath);
}
