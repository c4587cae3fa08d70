using System.Globalization;

namespace VgpuView.VfioPlanes.Discovery;

/// <summary>
/// Reads mdev and VFIO devices from sysfs under <see cref="Root"/>, "/sys" unless a test points
/// it at a fake tree. Nothing here writes to sysfs or throws for a file the kernel did not make.
/// </summary>
/// <remarks>
/// The layout read (Documentation/driver-api/vfio-mediated-device.rst, drivers/vfio/mdev/):
/// class/mdev_bus/&lt;parent&gt; links to each parent device, whose mdev_supported_types/&lt;type&gt;/
/// holds name, description, available_instances, device_api and create; bus/mdev/devices/&lt;uuid&gt;
/// links to the mdev, a child of its parent, with mdev_type, driver and iommu_group links and,
/// on kernels with the device cdev, vfio-dev/vfioN; bus/pci/devices/&lt;address&gt; has driver,
/// iommu_group, vendor and device.
/// </remarks>
public sealed class SysfsTree
{
    public SysfsTree(string root = "/sys")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
    }

    public string Root { get; }

    /// <summary>Every mdev parent and type, every mdev, and every PCI device bound to a VFIO driver.</summary>
    public DiscoveryReport Discover()
    {
        var problems = new List<string>();
        var parents = new List<MdevParent>();
        var types = new List<MdevType>();
        foreach (string parentPath in Entries(Path.Combine(Root, "class", "mdev_bus"), problems))
        {
            string parent = Path.GetFileName(parentPath);
            var typeIds = new List<string>();
            foreach (string typePath in Entries(Path.Combine(parentPath, "mdev_supported_types"), problems))
            {
                string id = Path.GetFileName(typePath);
                typeIds.Add(id);
                types.Add(new MdevType(
                    parent,
                    id,
                    ReadText(Path.Combine(typePath, "name"), problems),
                    ReadText(Path.Combine(typePath, "description"), problems),
                    ReadInt(Path.Combine(typePath, "available_instances"), problems),
                    ReadText(Path.Combine(typePath, "device_api"), problems)));
            }

            parents.Add(new MdevParent(parent, parentPath, typeIds));
        }

        var mdevs = new List<MdevDevice>();
        foreach (string path in Entries(Path.Combine(Root, "bus", "mdev", "devices"), problems))
        {
            mdevs.Add(ReadMdev(Path.GetFileName(path), path, problems));
        }

        var pci = new List<VfioPciDevice>();
        foreach (string path in Entries(Path.Combine(Root, "bus", "pci", "devices"), problems))
        {
            VfioPciDevice device = ReadPci(Path.GetFileName(path), path, problems);
            if (device.IsVfioBound)
            {
                pci.Add(device);
            }
        }

        return new DiscoveryReport(parents, types, mdevs, pci, problems);
    }

    /// <summary>The mdev named <paramref name="uuid"/> (lower case), or null when sysfs has none.</summary>
    public MdevDevice? FindMdev(string uuid, List<string>? problems = null)
    {
        string path = Path.Combine(Root, "bus", "mdev", "devices", uuid);
        return Directory.Exists(path) ? ReadMdev(uuid, path, problems ?? []) : null;
    }

    /// <summary>The PCI device at <paramref name="address"/>, whatever driver it has, or null when sysfs has none.</summary>
    public VfioPciDevice? FindPci(string address, List<string>? problems = null)
    {
        string path = Path.Combine(Root, "bus", "pci", "devices", address);
        return Directory.Exists(path) ? ReadPci(address, path, problems ?? []) : null;
    }

    /// <summary>realpath(3): every symlink resolved, or null when the path does not exist.</summary>
    internal static string? RealPath(string path) => Interop.Libc.RealPath(path);

    private static MdevDevice ReadMdev(string uuid, string path, List<string> problems)
    {
        // The mdev is a child of its parent device in the device tree; the relative links in its
        // directory are relative to that real place, not to the bus/mdev/devices link.
        string? real = RealPath(path);
        string? parent = real is null ? null : Path.GetFileName(Path.GetDirectoryName(real));
        string typeLink = Path.Combine(path, "mdev_type");
        return new MdevDevice(
            uuid,
            path,
            parent,
            LinkName(typeLink, problems),
            ReadText(Path.Combine(typeLink, "name"), problems),
            LinkName(Path.Combine(path, "driver"), problems),
            GroupNumber(path, problems),
            CdevName(path, problems));
    }

    private static VfioPciDevice ReadPci(string address, string path, List<string> problems) =>
        new(address,
            path,
            LinkName(Path.Combine(path, "driver"), problems),
            GroupNumber(path, problems),
            ReadText(Path.Combine(path, "vendor"), problems),
            ReadText(Path.Combine(path, "device"), problems),
            CdevName(path, problems));

    private static int? GroupNumber(string devicePath, List<string> problems)
    {
        string link = Path.Combine(devicePath, "iommu_group");
        string? name = LinkName(link, problems);
        if (name is null)
        {
            return null;
        }

        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int group))
        {
            return group;
        }

        problems.Add($"{link}: points to '{name}', expected an IOMMU group number");
        return null;
    }

    private static string? CdevName(string devicePath, List<string> problems)
    {
        foreach (string entry in Entries(Path.Combine(devicePath, "vfio-dev"), problems))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith("vfio", StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The last component of a symlink's target, or null when there is no such link.</summary>
    private static string? LinkName(string link, List<string> problems)
    {
        try
        {
            string? target = new FileInfo(link).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{link}: {e.Message}");
            return null;
        }
    }

    private static string? ReadText(string path, List<string> problems)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path}: {e.Message}");
            return null;
        }
    }

    private static int? ReadInt(string path, List<string> problems)
    {
        string? text = ReadText(path, problems);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        problems.Add($"{path}: '{text}' is not a count");
        return null;
    }

    /// <summary>The entries of a directory, sorted by name; none when it does not exist.</summary>
    private static List<string> Entries(string dir, List<string> problems)
    {
        try
        {
            var entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            entries.Sort(StringComparer.Ordinal);
            return entries;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{dir}: {e.Message}");
            return [];
        }
    }
}
