using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>
/// Opens a real VFIO device from a <see cref="DeviceSpec"/>: through its IOMMU group and a
/// container (every kernel), through the device cdev and iommufd (kernels from 6.6 built with
/// it), or from an inherited fd. Failures a user can fix throw <see cref="DeviceOpenException"/>
/// with a message that says how.
/// </summary>
/// <remarks>
/// The device is never reset (no VFIO_DEVICE_RESET): the guest's display must survive a viewer
/// coming and going.
/// </remarks>
internal static class VfioDeviceOpener
{
    private const int OpenFlags = Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC;

    /// <summary>Opens the device <paramref name="spec"/> names. Sim specs belong to the simulated vGPU, not here.</summary>
    internal static IVfioDevice Open(DeviceSpec spec, SysfsTree sysfs, string devRoot = "/dev", string procRoot = "/proc")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sysfs);
        return spec.Kind switch
        {
            DeviceSpecKind.Mdev => OpenMdev(spec, sysfs, devRoot, procRoot),
            DeviceSpecKind.Pci => OpenPci(spec, sysfs, devRoot, procRoot),
            // The spec names /dev/vfio/devices/vfioN; the node is looked up under devRoot like every other.
            DeviceSpecKind.Cdev => OpenCdev(spec.DisplayName, Path.Combine(devRoot, Path.GetRelativePath("/dev", spec.Value)), devRoot, procRoot),
            DeviceSpecKind.Fd => OpenInherited(spec),
            _ => throw new ArgumentException($"{spec} is the simulated vGPU; open it with the simulated devices, not VFIO", nameof(spec)),
        };
    }

    private static VfioDevice OpenMdev(DeviceSpec spec, SysfsTree sysfs, string devRoot, string procRoot)
    {
        string uuid = spec.Value;
        MdevDevice mdev = sysfs.FindMdev(uuid) ?? throw new DeviceOpenException(NoMdevMessage(uuid, sysfs));
        if (mdev.IommuGroup is null && mdev.CdevName is null)
        {
            throw new DeviceOpenException(
                $"mdev {uuid} has no iommu_group in {mdev.SysfsPath}: it is not bound to a VFIO-capable mdev driver "
                + $"(driver: {mdev.Driver ?? "none"}); load vfio_mdev or the vendor driver's module");
        }

        return OpenGroupOrCdev(spec.DisplayName, uuid, mdev.IommuGroup, mdev.CdevName, sysfs, devRoot, procRoot);
    }

    private static VfioDevice OpenPci(DeviceSpec spec, SysfsTree sysfs, string devRoot, string procRoot)
    {
        string address = spec.Value;
        VfioPciDevice pci = sysfs.FindPci(address)
            ?? throw new DeviceOpenException($"no PCI device {address} in {Path.Combine(sysfs.Root, "bus", "pci", "devices")} (lspci -D lists the addresses)");
        if (!pci.IsVfioBound)
        {
            string bus = Path.Combine(sysfs.Root, "bus", "pci");
            string unbind = pci.Driver is null ? string.Empty : $"echo {address} > {bus}/drivers/{pci.Driver}/unbind; ";
            throw new DeviceOpenException(
                $"PCI device {address} is bound to {pci.Driver ?? "no driver"}, not to a VFIO driver: bind it to vfio-pci "
                + $"(modprobe vfio-pci; echo vfio-pci > {bus}/devices/{address}/driver_override; {unbind}echo {address} > {bus}/drivers_probe)");
        }

        return OpenGroupOrCdev(spec.DisplayName, address, pci.IommuGroup, pci.CdevName, sysfs, devRoot, procRoot);
    }

    // The legacy group when its node exists; the cdev when only that exists (a kernel built
    // with CONFIG_VFIO_GROUP=n); the group otherwise, so its absence gets explained. sysfs's
    // vfio-dev/vfioN alone proves nothing: Debian's 6.1 has it and no /dev/vfio/devices.
    private static VfioDevice OpenGroupOrCdev(string displayName, string deviceName, int? group, string? cdevName, SysfsTree sysfs, string devRoot, string procRoot)
    {
        string? groupPath = group is int g ? Path.Combine(devRoot, "vfio", g.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        string? cdevPath = cdevName is null ? null : Path.Combine(devRoot, "vfio", "devices", cdevName);
        if (cdevPath is not null && (groupPath is null || !Exists(groupPath)) && Exists(cdevPath))
        {
            return OpenCdev(displayName, cdevPath, devRoot, procRoot);
        }

        if (groupPath is null)
        {
            throw new DeviceOpenException($"{displayName} has no IOMMU group and {cdevPath} does not exist: is the vfio module loaded?");
        }

        return OpenThroughGroup(displayName, deviceName, group!.Value, groupPath, cdevPath, sysfs, devRoot, procRoot);
    }

    private static VfioDevice OpenThroughGroup(string displayName, string deviceName, int group, string groupPath, string? cdevPath, SysfsTree sysfs, string devRoot, string procRoot)
    {
        // drivers/vfio/container.c: /dev/vfio/vfio is the container, a misc device of the vfio module.
        string containerPath = Path.Combine(devRoot, "vfio", "vfio");
        if (!Exists(containerPath))
        {
            throw new DeviceOpenException($"{containerPath} does not exist: the vfio module is not loaded: modprobe vfio vfio_iommu_type1");
        }

        SafeFdHandle? groupFd = null;
        SafeFdHandle? container = null;
        SafeFdHandle? device = null;
        try
        {
            if (!Exists(groupPath))
            {
                throw new DeviceOpenException(
                    $"{groupPath} does not exist although sysfs puts {displayName} in IOMMU group {group}: "
                    + "is the device bound to a VFIO driver, and is udev (or mdev/devtmpfs) creating /dev/vfio nodes?");
            }

            groupFd = OpenNode(groupPath, "the IOMMU group", procRoot, cdevPath);
            var status = new vfio_group_status { argsz = (uint)Marshal.SizeOf<vfio_group_status>() };
            if (Interop.Libc.Ioctl(groupFd, VFIO_GROUP_GET_STATUS, ref status) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new DeviceOpenException(
                    $"{groupPath} is not a VFIO group node: VFIO_GROUP_GET_STATUS failed with {Errno.Name(errno)}",
                    new VfioException(errno, "VFIO_GROUP_GET_STATUS", groupPath));
            }

            if ((status.flags & VFIO_GROUP_FLAGS_VIABLE) == 0)
            {
                string members = Path.Combine(sysfs.Root, "kernel", "iommu_groups", group.ToString(System.Globalization.CultureInfo.InvariantCulture), "devices");
                throw new DeviceOpenException(
                    $"IOMMU group {group} is not viable: every device in it must be bound to a VFIO driver or to none (see {members})");
            }

            container = OpenNode(containerPath, "the VFIO container", procRoot);
            int version = Interop.Libc.Ioctl(container, VFIO_GET_API_VERSION, 0);
            if (version < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new DeviceOpenException(
                    $"{containerPath} is not the VFIO container: VFIO_GET_API_VERSION failed with {Errno.Name(errno)}",
                    new VfioException(errno, "VFIO_GET_API_VERSION", containerPath));
            }

            if (version != VFIO_API_VERSION)
            {
                throw new DeviceOpenException($"{containerPath} speaks VFIO API version {version}; this program knows version {VFIO_API_VERSION}");
            }

            // Type1 v2 first (the one current kernels and QEMU use); plain type1 for old kernels.
            uint iommuType = Interop.Libc.Ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0 ? VFIO_TYPE1v2_IOMMU
                : Interop.Libc.Ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0 ? VFIO_TYPE1_IOMMU
                : throw new DeviceOpenException($"{containerPath} offers no type1 IOMMU backend: modprobe vfio_iommu_type1");

            // The group must join the container before the container accepts an IOMMU type.
            Check(Interop.Vfio.GroupSetContainer(groupFd, container), "VFIO_GROUP_SET_CONTAINER", groupPath);
            Check(Interop.Libc.Ioctl(container, VFIO_SET_IOMMU, iommuType), "VFIO_SET_IOMMU", containerPath);

            device = Interop.Vfio.GroupGetDeviceFd(groupFd, deviceName);
            if (device.IsInvalid)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new DeviceOpenException(
                    $"{groupPath} would not give the device {deviceName}: VFIO_GROUP_GET_DEVICE_FD failed with {Errno.Name(errno)}"
                    + (errno == Errno.EBUSY ? " (the device is already open)" : string.Empty),
                    new VfioException(errno, "VFIO_GROUP_GET_DEVICE_FD", groupPath));
            }

            var opened = new VfioDevice(displayName, device, groupFd, container);
            device = null;
            groupFd = null;
            container = null;
            return opened;
        }
        finally
        {
            device?.Dispose();
            groupFd?.Dispose();
            container?.Dispose();
        }
    }

    private static VfioDevice OpenCdev(string displayName, string cdevPath, string devRoot, string procRoot)
    {
        string iommuPath = Path.Combine(devRoot, "iommu");
        SafeFdHandle? device = null;
        SafeFdHandle? iommufd = null;
        try
        {
            if (!Exists(cdevPath))
            {
                throw new DeviceOpenException($"{cdevPath} does not exist: the kernel has no VFIO device cdev for it (CONFIG_VFIO_DEVICE_CDEV); name the device by its UUID or PCI address to use its IOMMU group");
            }

            if (!Exists(iommuPath))
            {
                throw new DeviceOpenException($"{iommuPath} does not exist: the device cdev needs iommufd (modprobe iommufd, CONFIG_IOMMUFD); name the device by its UUID or PCI address to use its IOMMU group");
            }

            device = OpenNode(cdevPath, "the VFIO device cdev", procRoot);
            iommufd = OpenNode(iommuPath, "iommufd", procRoot);

            // drivers/vfio/device_cdev.c: a cdev fd does nothing until it is bound to an iommufd
            // and attached to an IO address space; an empty IOAS is enough to read the display.
            if (Interop.Vfio.BindIommufd(device, iommufd, out _) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new DeviceOpenException(
                    $"{cdevPath}: VFIO_DEVICE_BIND_IOMMUFD failed with {Errno.Name(errno)}"
                    + (errno == Errno.EBUSY ? " (the device is bound elsewhere, perhaps opened through its group)" : string.Empty),
                    new VfioException(errno, "VFIO_DEVICE_BIND_IOMMUFD", cdevPath));
            }

            var alloc = new Interop.Iommufd.iommu_ioas_alloc { size = (uint)Marshal.SizeOf<Interop.Iommufd.iommu_ioas_alloc>() };
            Check(Interop.Libc.Ioctl(iommufd, Interop.Iommufd.IOMMU_IOAS_ALLOC, ref alloc), "IOMMU_IOAS_ALLOC", iommuPath);

            var attach = new vfio_device_attach_iommufd_pt
            {
                argsz = (uint)Marshal.SizeOf<vfio_device_attach_iommufd_pt>(),
                pt_id = alloc.out_ioas_id,
            };
            Check(Interop.Libc.Ioctl(device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, ref attach), "VFIO_DEVICE_ATTACH_IOMMUFD_PT", cdevPath);

            var opened = new VfioDevice(displayName, device, iommufd: iommufd);
            device = null;
            iommufd = null;
            return opened;
        }
        finally
        {
            device?.Dispose();
            iommufd?.Dispose();
        }
    }

    // fd:N: a parent process (libvirt-style, or a privileged helper) opened the device and
    // passed the fd across exec. N itself stays the parent's business; the device owns a dup.
    private static VfioDevice OpenInherited(DeviceSpec spec)
    {
        int n = spec.Fd;
        using var borrowed = new SafeFdHandle(n, ownsHandle: false); // owned by whoever passed it; never closed here
        if (Interop.Libc.Fcntl(borrowed, Interop.Libc.F_GETFD, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new DeviceOpenException(
                $"fd:{n} is not an open file descriptor in this process ({Errno.Name(errno)}): the parent must open the VFIO device and pass it without close-on-exec",
                new VfioException(errno, "fcntl(F_GETFD)", "fd:" + n));
        }

        SafeFdHandle device = Interop.Libc.Dup(borrowed);
        if (device.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw new DeviceOpenException($"cannot duplicate fd:{n}: {Errno.Name(errno)}", new VfioException(errno, "fcntl(F_DUPFD_CLOEXEC)", "fd:" + n));
        }

        var info = new vfio_device_info { argsz = (uint)Marshal.SizeOf<vfio_device_info>() };
        if (Interop.Libc.Ioctl(device, VFIO_DEVICE_GET_INFO, ref info) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw new DeviceOpenException(
                $"fd:{n} is not a VFIO device fd: VFIO_DEVICE_GET_INFO failed with {Errno.Name(errno)}; "
                + "pass the fd that VFIO_GROUP_GET_DEVICE_FD returned or an attached /dev/vfio/devices/vfioN, not a group or container",
                new VfioException(errno, "VFIO_DEVICE_GET_INFO", "fd:" + n));
        }

        return new VfioDevice(spec.DisplayName, device);
    }

    // cdevPath: the device's cdev, when the node is its group: a cdev bound to an iommufd
    // blocks the group (EBUSY) as much as another open of the group does.
    private static SafeFdHandle OpenNode(string path, string what, string procRoot, string? cdevPath = null)
    {
        SafeFdHandle fd = Interop.Libc.Open(path, OpenFlags);
        if (!fd.IsInvalid)
        {
            return fd;
        }

        int errno = Marshal.GetLastPInvokeError();
        fd.Dispose();
        var cause = new VfioException(errno, "open", path);
        string message = errno switch
        {
            Errno.ENOENT => $"{path} ({what}) does not exist",
            Errno.EACCES or Errno.EPERM => $"{path} ({what}) is mode {ModeText(path)} and this user may not open it (VFIO nodes are normally root's, mode 0600): run as root, or chown it or add a udev rule that gives your user access",
            Errno.EBUSY => BusyMessage(path, what, procRoot, cdevPath),
            _ => $"cannot open {path} ({what}): {cause.Message}",
        };
        throw new DeviceOpenException(message, cause);
    }

    private static string ModeText(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "unknown";
        }

        try
        {
            return "0" + Convert.ToString((int)File.GetUnixFileMode(path), 8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// Why a group node is busy: another process has the group open, or (drivers/vfio/group.c,
    /// vfio_group_fops_open) the device is bound through its cdev; the holders of whichever it is.
    /// </summary>
    internal static string BusyMessage(string path, string what, string procRoot, string? cdevPath)
    {
        IReadOnlyList<GroupHolder> cdevHolders = cdevPath is null || GroupHolders.Find(path, procRoot).Count > 0 ? [] : GroupHolders.Find(cdevPath, procRoot);
        if (cdevHolders.Count > 0)
        {
            return $"{path} ({what}) is busy: the device is bound through its cdev {cdevPath}, held by {string.Join(", ", cdevHolders)}, "
                + "and a device opens through its group or its cdev, not both: stop that process, or have it pass the device fd to this one (fd:N)";
        }

        return $"{path} ({what}) is busy: {DescribeHolders(path, procRoot)}. A VFIO group can be open in one process at a time: stop that process, or have it pass the device fd to this one (fd:N)";
    }

    private static string DescribeHolders(string path, string procRoot)
    {
        IReadOnlyList<GroupHolder> holders = GroupHolders.Find(path, procRoot);
        return holders.Count == 0
            ? "held by another process (none found in " + procRoot + "; run as root to see every process)"
            : "held by " + string.Join(", ", holders);
    }

    private static string NoMdevMessage(string uuid, SysfsTree sysfs)
    {
        DiscoveryReport report = sysfs.Discover();
        MdevType? type = report.Types.FirstOrDefault(t => t.AvailableInstances > 0) ?? report.Types.FirstOrDefault();
        string create = type?.CreatePath(sysfs.Root)
            ?? Path.Combine(sysfs.Root, "class", "mdev_bus", "<parent>", "mdev_supported_types", "<type>", "create");
        string hint = type is null ? " (no mdev parent found: load a vendor driver such as mbochs, mdpy or i915 with GVT-g)" : string.Empty;
        return $"no mdev {uuid}: create one with echo {uuid} > {create}{hint}";
    }

    private static void Check(int rc, string operation, string path)
    {
        if (rc < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            var cause = new VfioException(errno, operation, path);
            throw new DeviceOpenException(cause.Message, cause);
        }
    }

    // File.Exists is true for device nodes (anything not a directory), false for a dangling name.
    private static bool Exists(string path) => File.Exists(path);
}
