namespace VgpuView.Tests.Shared;

/// <summary>
/// A sysfs-shaped tree in a temp directory, with real symlinks laid out as the kernel does:
/// devices under devices/, reached through class/ and bus/ links with relative targets.
/// </summary>
public sealed class FakeSysfs : IDisposable
{
    public FakeSysfs()
    {
        Root = Directory.CreateTempSubdirectory("vgpuview-sysfs-").FullName;
    }

    /// <summary>A tree at <paramref name="root"/>, made if missing (a fake host's sys/).</summary>
    public FakeSysfs(string root)
    {
        Directory.CreateDirectory(root);
        Root = root;
    }

    public string Root { get; }

    /// <summary>An mdev parent at devices/&lt;devicePath&gt; with class/mdev_bus/&lt;name&gt; linking to it.</summary>
    public string AddParent(string devicePath, params (string Id, string? Name, string? Description, string? Available)[] types)
    {
        string dir = Dir("devices", devicePath);
        foreach (var t in types)
        {
            string typeDir = Dir("devices", devicePath, "mdev_supported_types", t.Id);
            WriteIfNotNull(typeDir, "name", t.Name);
            WriteIfNotNull(typeDir, "description", t.Description);
            WriteIfNotNull(typeDir, "available_instances", t.Available);
            File.WriteAllText(Path.Combine(typeDir, "device_api"), "vfio-pci\n");
            File.WriteAllText(Path.Combine(typeDir, "create"), string.Empty);
        }

        Link(Path.Combine("class", "mdev_bus", Path.GetFileName(devicePath)), Path.Combine("devices", devicePath));
        return dir;
    }

    /// <summary>An mdev under its parent, linked from bus/mdev/devices, with its type, driver and group links.</summary>
    public string AddMdev(string parentPath, string uuid, string typeId, string? driver, int? group, string? cdev = null)
    {
        string dir = Dir("devices", parentPath, uuid);
        // Relative to the mdev's real directory, as the kernel makes them.
        Directory.CreateSymbolicLink(Path.Combine(dir, "mdev_type"), Path.Combine("..", "mdev_supported_types", typeId));
        if (driver is not null)
        {
            Dir("bus", "mdev", "drivers", driver);
            Directory.CreateSymbolicLink(Path.Combine(dir, "driver"), Up(dir) + Path.Combine("bus", "mdev", "drivers", driver));
        }

        AddGroupAndCdev(dir, group, cdev);
        Link(Path.Combine("bus", "mdev", "devices", uuid), Path.Combine("devices", parentPath, uuid));
        return dir;
    }

    /// <summary>A PCI device under devices/pci0000:00, linked from bus/pci/devices.</summary>
    public string AddPci(string address, string? driver, int? group, string vendor = "0x8086", string device = "0x3e92", string? cdev = null)
    {
        string dir = Dir("devices", "pci0000:00", address);
        File.WriteAllText(Path.Combine(dir, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(dir, "device"), device + "\n");
        if (driver is not null)
        {
            Dir("bus", "pci", "drivers", driver);
            Directory.CreateSymbolicLink(Path.Combine(dir, "driver"), Up(dir) + Path.Combine("bus", "pci", "drivers", driver));
        }

        AddGroupAndCdev(dir, group, cdev);
        Link(Path.Combine("bus", "pci", "devices", address), Path.Combine("devices", "pci0000:00", address));
        return dir;
    }

    public string Dir(params string[] parts)
    {
        string dir = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void AddGroupAndCdev(string dir, int? group, string? cdev)
    {
        if (group is int g)
        {
            string number = g.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string members = Dir("kernel", "iommu_groups", number, "devices");
            Directory.CreateSymbolicLink(Path.Combine(dir, "iommu_group"), Up(dir) + Path.Combine("kernel", "iommu_groups", number));
            // The group lists its members as links back to their device directories.
            Directory.CreateSymbolicLink(Path.Combine(members, Path.GetFileName(dir)), Up(members) + Path.GetRelativePath(Root, dir));
        }

        if (cdev is not null)
        {
            Directory.CreateDirectory(Path.Combine(dir, "vfio-dev", cdev));
        }
    }

    // A relative link at <Root>/<relative> to <Root>/<target>, as sysfs makes them.
    private void Link(string relative, string target)
    {
        string link = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, Up(Path.GetDirectoryName(link)!) + target);
    }

    // "../../" from dir up to Root.
    private string Up(string dir)
    {
        int depth = Path.GetRelativePath(Root, dir).Split('/').Length;
        return string.Concat(Enumerable.Repeat("../", depth));
    }

    private static void WriteIfNotNull(string dir, string name, string? text)
    {
        if (text is not null)
        {
            File.WriteAllText(Path.Combine(dir, name), text + "\n");
        }
    }
}
