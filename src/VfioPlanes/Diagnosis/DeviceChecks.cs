using System.Globalization;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.IO;

namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>
/// The checks of one named device that sysfs, /dev and /proc answer: is it there, which driver
/// has it, who else is in its IOMMU group, may this user open its nodes, does another process
/// hold them, and (for a display device) the boot console over its BARs.
/// </summary>
public sealed class DeviceChecks(HostRoots roots, Func<string, bool>? mayOpen = null)
{
    private readonly Func<string, bool> _mayOpen = mayOpen ?? MayOpen;

    /// <summary>What the device needs from the host, for <see cref="HostChecks"/>.</summary>
    public static DeviceNeed NeedOf(DeviceSpec spec) => spec.Kind switch
    {
        DeviceSpecKind.Pci => DeviceNeed.Pci,
        DeviceSpecKind.Mdev => DeviceNeed.Mdev,
        DeviceSpecKind.Cdev => DeviceNeed.Cdev,
        _ => DeviceNeed.Any,
    };

    /// <summary>The checks for <paramref name="spec"/>; <see cref="Openable"/> says afterwards whether opening it is worth trying.</summary>
    public IEnumerable<DoctorCheck> Run(DeviceSpec spec)
    {
        Openable = false;
        return spec.Kind switch
        {
            DeviceSpecKind.Pci => Pci(spec.Value),
            DeviceSpecKind.Mdev => Mdev(spec.Value),
            DeviceSpecKind.Cdev => Cdev(spec.Value),
            DeviceSpecKind.Fd => Inherited(spec),
            _ => [],
        };
    }

    /// <summary>After <see cref="Run"/>: nothing found stands in the way of opening the device.</summary>
    public bool Openable { get; private set; }

    private IEnumerable<DoctorCheck> Pci(string address)
    {
        string path = roots.SysPath("bus", "pci", "devices", address);
        PciFunction? pci = PciFunction.Read(roots, address);
        if (pci is null)
        {
            yield return new DoctorCheck("device", CheckStatus.Problem, path, "no such PCI device", "lspci -D lists the addresses");
            yield break;
        }

        string cls = pci.Class is uint c ? $"class 0x{c:x6}{(pci.IsDisplay ? " (display)" : string.Empty)}" : "class unknown";
        yield return new DoctorCheck("device", CheckStatus.Ok, path, $"PCI {address}, {cls}, IOMMU group {(pci.IommuGroup is int g ? g.ToString(CultureInfo.InvariantCulture) : "none")}");

        DoctorCheck driver = Driver(pci);
        yield return driver;
        DoctorCheck group = Group(pci);
        yield return group;
        bool blocked = driver.Status == CheckStatus.Problem || group.Status == CheckStatus.Problem;
        if (pci.IommuGroup is int n && pci.IsVfioBound)
        {
            DoctorCheck access = Permissions(GroupNode(n), $"IOMMU group {n}");
            yield return access;
            DoctorCheck busy = Busy(GroupNode(n));
            yield return busy;
            blocked |= access.Status == CheckStatus.Problem || busy.Status == CheckStatus.Problem;
        }

        if (pci.IsDisplay)
        {
            yield return ConsoleCheck.Run(roots, pci, KernelVersion.Read(roots));
        }

        Openable = !blocked && pci.IsVfioBound;
    }

    private DoctorCheck Driver(PciFunction pci)
    {
        string looked = Path.Combine(pci.SysfsPath, "driver");
        string bus = roots.SysPath("bus", "pci");
        string bind = $"modprobe vfio-pci; echo vfio-pci > {bus}/devices/{pci.Address}/driver_override; " +
            (pci.Driver is null ? string.Empty : $"echo {pci.Address} > {bus}/drivers/{pci.Driver}/unbind; ") +
            $"echo {pci.Address} > {bus}/drivers_probe";
        if (pci.IsVfioBound)
        {
            return new DoctorCheck("driver", CheckStatus.Ok, looked, $"bound to {pci.Driver}");
        }

        if (Directory.Exists(roots.SysPath("class", "mdev_bus", pci.Address)))
        {
            return new DoctorCheck("driver", CheckStatus.Info, looked,
                $"bound to {pci.Driver ?? "no driver"}, which makes it an mdev parent: its vGPUs are mdevs (vgpuview list shows them); the device itself stays with its driver");
        }

        string found = pci.Driver is null ? "bound to no driver" : $"bound to its host driver {pci.Driver}, which uses it";
        return new DoctorCheck("driver", CheckStatus.Problem, looked, found + ", not to vfio-pci", bind);
    }

    private DoctorCheck Group(PciFunction pci)
    {
        if (pci.IommuGroup is not int n)
        {
            return new DoctorCheck("group", CheckStatus.Problem, Path.Combine(pci.SysfsPath, "iommu_group"),
                "no IOMMU group: the IOMMU is off (see the iommu line)", "enable the IOMMU; vfio-pci cannot bind a device without a group");
        }

        string dir = roots.SysPath("kernel", "iommu_groups", n.ToString(CultureInfo.InvariantCulture), "devices");
        var members = new List<string>();
        var blocking = new List<PciFunction>();
        foreach (string address in HostRoots.Names(dir))
        {
            PciFunction? member = PciFunction.Read(roots, address);
            string memberDriver = member?.Driver ?? HostRoots.LinkName(Path.Combine(dir, address, "driver")) ?? "none";
            members.Add($"{address} ({memberDriver})");
            // A group is viable when every member is bound to a VFIO driver, to a driver that
            // manages no DMA of its own (pci-stub, pcieport on a bridge), or to nothing.
            if (address != pci.Address && member is not null && member.Driver is not null && !member.IsVfioBound
                && member.Driver is not ("pci-stub" or "pcieport") && !member.IsBridge)
            {
                blocking.Add(member);
            }
        }

        string found = members.Count <= 1 ? $"group {n} holds this device alone" : $"group {n}: {string.Join(", ", members)}";
        if (blocking.Count == 0)
        {
            return new DoctorCheck("group", CheckStatus.Ok, dir, found);
        }

        string bus = roots.SysPath("bus", "pci");
        string fix = string.Join("; ", blocking.Select(b =>
            $"echo vfio-pci > {bus}/devices/{b.Address}/driver_override; echo {b.Address} > {bus}/drivers/{b.Driver}/unbind; echo {b.Address} > {bus}/drivers_probe"));
        return new DoctorCheck("group", CheckStatus.Problem, dir,
            found + $"; not viable while {string.Join(", ", blocking.Select(b => $"{b.Address} is bound to {b.Driver}"))}: every member must be bound to vfio-pci or to nothing",
            fix);
    }

    private IEnumerable<DoctorCheck> Mdev(string uuid)
    {
        var sysfs = new SysfsTree(roots.Sys);
        MdevDevice? mdev = sysfs.FindMdev(uuid);
        string path = roots.SysPath("bus", "mdev", "devices", uuid);
        if (mdev is null)
        {
            MdevType? type = sysfs.Discover().Types.FirstOrDefault(t => t.AvailableInstances > 0);
            yield return new DoctorCheck("device", CheckStatus.Problem, path, "no such mdev",
                type is null ? "load a vendor driver (mbochs, mdpy, i915 with GVT-g) and create one" : $"echo {uuid} > {type.CreatePath(roots.Sys)}");
            yield break;
        }

        if (mdev.IommuGroup is not int n)
        {
            yield return new DoctorCheck("device", CheckStatus.Problem, path,
                $"mdev of type {mdev.TypeId ?? "?"} on {mdev.Parent ?? "?"}, driver {mdev.Driver ?? "none"}, no IOMMU group",
                "the mdev is bound to no VFIO-capable driver: load the vendor driver's module (or vfio_mdev on kernels before 5.16)");
            yield break;
        }

        yield return new DoctorCheck("device", CheckStatus.Ok, path, $"mdev of type {mdev.TypeId ?? "?"} on {mdev.Parent ?? "?"}, driver {mdev.Driver ?? "none"}, IOMMU group {n}");
        DoctorCheck access = Permissions(GroupNode(n), $"IOMMU group {n}");
        yield return access;
        DoctorCheck busy = Busy(GroupNode(n));
        yield return busy;
        Openable = access.Status != CheckStatus.Problem && busy.Status != CheckStatus.Problem;
    }

    private IEnumerable<DoctorCheck> Cdev(string specPath)
    {
        string node = Path.Combine(roots.Dev, Path.GetRelativePath("/dev", specPath));
        DoctorCheck access = Permissions(node, "the device cdev", isGroup: false);
        yield return access;
        DoctorCheck busy = Busy(node);
        yield return busy;
        Openable = access.Status != CheckStatus.Problem && busy.Status != CheckStatus.Problem;
    }

    private IEnumerable<DoctorCheck> Inherited(DeviceSpec spec)
    {
        yield return new DoctorCheck("permissions", CheckStatus.Ok, spec.ToString(),
            "an inherited device fd: the privileged parent that opened it decided who may use it");
        Openable = true;
    }

    private string GroupNode(int group) => roots.DevPath("vfio", group.ToString(CultureInfo.InvariantCulture));

    // A group node is opened with the container beside it; a cdev alone.
    private DoctorCheck Permissions(string node, string what, bool isGroup = true)
    {
        string container = roots.DevPath("vfio", "vfio");
        string looked = isGroup ? $"{node}, {container}" : node;
        if (!HostRoots.Exists(node))
        {
            return new DoctorCheck("permissions", CheckStatus.Problem, looked, $"{node} ({what}) does not exist",
                "is the device bound to a VFIO driver, and does udev (or devtmpfs) create /dev/vfio nodes?");
        }

        var denied = new List<string>();
        foreach (string path in isGroup ? [node, container] : new[] { node })
        {
            if (HostRoots.Exists(path) && !_mayOpen(path))
            {
                denied.Add($"{path} ({ModeText(path)})");
            }
        }

        if (denied.Count == 0)
        {
            return new DoctorCheck("permissions", CheckStatus.Ok, looked, $"this user ({Environment.UserName}) may open {what}");
        }

        string user = Environment.UserName;
        string name = Path.GetFileName(node);
        // A node its group may read and write (a distribution's udev rule giving /dev/vfio to
        // a group such as kvm or vfio): joining that group is the lasting fix.
        string join = Interop.Libc.GroupAndMode(node, out uint gid, out int mode) && gid != 0 && (mode & 0x30) == 0x30
            && GroupName(gid) is string groupName
            ? $"add this user to group {groupName} (usermod -aG {groupName} {user}, then log in again); or "
            : string.Empty;
        string rule = isGroup
            ? $"a udev rule such as SUBSYSTEM==\"vfio\", KERNEL==\"{name}\", OWNER=\"{user}\" in /etc/udev/rules.d/90-vfio.rules (then udevadm trigger)"
            : $"a udev rule such as SUBSYSTEM==\"vfio-dev\", KERNEL==\"{name}\", OWNER=\"{user}\"";
        return new DoctorCheck("permissions", CheckStatus.Problem, looked,
            $"this user ({user}) may not open {string.Join(", ", denied)}",
            $"{join}run as root; or {rule}; or chown {user} {node} until reboot; or let a privileged helper open the device and pass it as fd:N");
    }

    private DoctorCheck Busy(string node)
    {
        string looked = Path.Combine(roots.Proc, "*", "fd");
        IReadOnlyList<GroupHolder> holders = GroupHolders.Find(node, roots.Proc);
        return holders.Count == 0
            ? new DoctorCheck("busy", CheckStatus.Ok, looked, $"no process holds {node}")
            : new DoctorCheck("busy", CheckStatus.Problem, looked,
                $"{node} is held by {string.Join(", ", holders)}: a VFIO group opens in one process at a time",
                "stop that process, or have it pass the device fd to vgpuview (fd:N)");
    }

    // /etc/group: "name:x:gid:members".
    private static string? GroupName(uint gid)
    {
        string id = gid.ToString(CultureInfo.InvariantCulture);
        foreach (string line in (HostRoots.ReadText("/etc/group") ?? string.Empty).Split('\n'))
        {
            string[] f = line.Split(':');
            if (f.Length >= 3 && f[2] == id)
            {
                return f[0];
            }
        }

        return null;
    }

    private static bool MayOpen(string path) => PathAccess.Allows(path, PathRights.Read | PathRights.Write, out _);

    private static string ModeText(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "mode unknown";
        }

        try
        {
            return "mode 0" + Convert.ToString((int)File.GetUnixFileMode(path), 8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "mode unknown";
        }
    }
}
