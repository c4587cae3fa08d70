namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>What the device needs from the host, which the checks weigh: a PCI device needs a hardware IOMMU and vfio-pci, an mdev neither.</summary>
public enum DeviceNeed
{
    /// <summary>No device named: the host is checked for both kinds.</summary>
    Any,

    /// <summary>A PCI function assigned whole through vfio-pci.</summary>
    Pci,

    /// <summary>A mediated device, whose IOMMU group is its vendor driver's.</summary>
    Mdev,

    /// <summary>A device cdev, opened through iommufd.</summary>
    Cdev,
}

/// <summary>
/// The host-wide checks of `vgpuview doctor`: the kernel, the VFIO modules, the VFIO nodes in
/// /dev and the IOMMU. Each reads files under <see cref="HostRoots"/> and changes nothing.
/// </summary>
public static class HostChecks
{
    public static IEnumerable<DoctorCheck> Run(HostRoots roots, DeviceNeed need)
    {
        yield return Kernel(roots);
        yield return Modules(roots, need);
        yield return Nodes(roots, need);
        yield return Iommu(roots, need);
    }

    public static DoctorCheck Kernel(HostRoots roots)
    {
        string looked = roots.ProcPath("sys", "kernel", "osrelease");
        KernelVersion? kernel = KernelVersion.Read(roots);
        if (kernel is null)
        {
            return new DoctorCheck("kernel", CheckStatus.Warning, looked, "unreadable or not a kernel release",
                "the console and cdev advice below assumes an old kernel");
        }

        // drivers/vfio/device_cdev.c and drivers/iommu/iommufd/ came with 6.6 (the cdev) and 6.2 (iommufd).
        string cdev = kernel.AtLeast(6, 6) ? "may have the VFIO device cdev (CONFIG_VFIO_DEVICE_CDEV)" : "has no VFIO device cdev (6.6 brought it): devices open through their IOMMU group";
        return new DoctorCheck("kernel", CheckStatus.Ok, looked, $"Linux {kernel.Release}; {cdev}");
    }

    public static DoctorCheck Modules(HostRoots roots, DeviceNeed need)
    {
        string procModules = roots.ProcPath("modules");
        string? loaded = HostRoots.ReadText(procModules);
        var states = new List<string>();
        var missing = new List<string>();
        foreach ((string name, string evidence, bool needed) in Wanted(roots, need))
        {
            string state = ModuleState(roots, loaded, name, evidence);
            states.Add($"{name} {state}");
            if (needed && state == "not loaded")
            {
                missing.Add(name);
            }
        }

        string looked = $"{procModules}, {roots.SysPath("module")}";
        string found = string.Join(", ", states);
        return missing.Count == 0
            ? new DoctorCheck("modules", CheckStatus.Ok, looked, found)
            : new DoctorCheck("modules", CheckStatus.Problem, looked, found, $"modprobe {string.Join(' ', missing.Select(m => m.Replace('_', '-')))}");
    }

    public static DoctorCheck Nodes(HostRoots roots, DeviceNeed need)
    {
        string container = roots.DevPath("vfio", "vfio");
        string iommu = roots.DevPath("iommu");
        string cdevs = roots.DevPath("vfio", "devices");
        bool hasContainer = HostRoots.Exists(container);
        bool hasIommufd = HostRoots.Exists(iommu);
        int cdevCount = HostRoots.Names(cdevs).Count(n => n.StartsWith("vfio", StringComparison.Ordinal));
        string found = $"{container} {(hasContainer ? "exists" : "missing")}, {iommu} {(hasIommufd ? "exists" : "missing")}, " +
            $"{cdevCount} device cdev{(cdevCount == 1 ? string.Empty : "s")} in {cdevs}";
        string looked = $"{container}, {iommu}, {cdevs}";
        if (need == DeviceNeed.Cdev)
        {
            return hasIommufd
                ? new DoctorCheck("nodes", CheckStatus.Ok, looked, found)
                : new DoctorCheck("nodes", CheckStatus.Problem, looked, found,
                    "a device cdev needs iommufd: modprobe iommufd (a kernel 6.6 or later built with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV); or name the device by its UUID or PCI address to use its group");
        }

        return hasContainer
            ? new DoctorCheck("nodes", CheckStatus.Ok, looked, found)
            : new DoctorCheck("nodes", CheckStatus.Problem, looked, found,
                "modprobe vfio vfio_iommu_type1; without udev, create the node from /sys/class/misc/vfio/dev (mknod /dev/vfio/vfio c MAJOR MINOR)");
    }

    public static DoctorCheck Iommu(HostRoots roots, DeviceNeed need)
    {
        string classDir = roots.SysPath("class", "iommu");
        string groupsDir = roots.SysPath("kernel", "iommu_groups");
        string cmdlinePath = roots.ProcPath("cmdline");
        List<string> units = HostRoots.Names(classDir);
        int groups = HostRoots.Names(groupsDir).Count;
        string[] cmdline = (HostRoots.ReadText(cmdlinePath) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] iommuWords = [.. cmdline.Where(w => w.StartsWith("intel_iommu=", StringComparison.Ordinal) || w.StartsWith("amd_iommu=", StringComparison.Ordinal) || w.StartsWith("iommu=", StringComparison.Ordinal))];
        string looked = $"{classDir}, {groupsDir}, {cmdlinePath}";
        string words = iommuWords.Length == 0 ? "no IOMMU option on the kernel command line" : "command line " + string.Join(' ', iommuWords);
        if (units.Count > 0)
        {
            return new DoctorCheck("iommu", CheckStatus.Ok, looked, $"IOMMU {string.Join(", ", units)} enabled, {groups} IOMMU groups; {words}");
        }

        string found = $"no IOMMU enabled (no entry in {classDir}), {groups} IOMMU groups; {words}";
        if (need is DeviceNeed.Mdev)
        {
            // drivers/vfio/mdev: an mdev's group is made by VFIO for the vendor driver, which
            // translates the guest's DMA itself; no hardware IOMMU takes part.
            return new DoctorCheck("iommu", CheckStatus.Ok, looked, found + "; an mdev needs no hardware IOMMU (its vendor driver makes its group)");
        }

        string fix = iommuWords.Contains("intel_iommu=off")
            ? "remove intel_iommu=off from the kernel command line"
            : iommuWords.Contains("intel_iommu=on")
                ? "the kernel was asked for the IOMMU and found none: enable VT-d (Intel) or AMD-Vi/IOMMU in the firmware setup"
                : "enable VT-d (Intel) or AMD-Vi (AMD) in the firmware setup and boot with intel_iommu=on on Intel (AMD's IOMMU is on by default)";
        return need == DeviceNeed.Pci
            ? new DoctorCheck("iommu", CheckStatus.Problem, looked, found + "; a PCI device assigned through vfio-pci needs one", fix)
            : new DoctorCheck("iommu", CheckStatus.Warning, looked, found + "; mdevs need none, PCI devices assigned through vfio-pci do", fix);
    }

    // The modules this kind of device needs, and a sysfs path that exists when the module is
    // there whether it was loaded or built in (a built-in module without parameters has no
    // /sys/module entry, but its class or bus does).
    private static IEnumerable<(string Name, string Evidence, bool Needed)> Wanted(HostRoots roots, DeviceNeed need)
    {
        yield return ("vfio", roots.SysPath("class", "vfio"), need != DeviceNeed.Cdev);
        yield return ("vfio_iommu_type1", roots.SysPath("module", "vfio_iommu_type1"), need is DeviceNeed.Any or DeviceNeed.Pci or DeviceNeed.Mdev);
        yield return ("vfio_pci", roots.SysPath("bus", "pci", "drivers", "vfio-pci"), need == DeviceNeed.Pci);
        yield return ("mdev", roots.SysPath("bus", "mdev"), need == DeviceNeed.Mdev);
        yield return ("iommufd", roots.SysPath("class", "misc", "iommu"), need == DeviceNeed.Cdev);
    }

    private static string ModuleState(HostRoots roots, string? procModules, string name, string evidence)
    {
        if (procModules is not null && procModules.Split('\n').Any(line => line.StartsWith(name + " ", StringComparison.Ordinal)))
        {
            return "loaded";
        }

        // /sys/module/<name>/initstate exists only for loadable modules; a directory without it is built in.
        string dir = roots.SysPath("module", name);
        if ((Directory.Exists(dir) && !File.Exists(Path.Combine(dir, "initstate"))) || Directory.Exists(evidence))
        {
            return "built in";
        }

        return "not loaded";
    }
}
