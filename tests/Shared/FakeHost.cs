namespace VgpuView.Tests.Shared;

/// <summary>
/// A host's sys/, proc/ and dev/ in a temp directory, for the doctor's checks: a
/// <see cref="FakeSysfs"/> under sys/ plus the procfs files and /dev nodes the checks read,
/// laid out as the kernel shows them (contents taken from real machines).
/// </summary>
public sealed class FakeHost : IDisposable
{
    public FakeHost(string kernel = "6.1.0-57-amd64")
    {
        Root = Directory.CreateTempSubdirectory("vgpuview-host-").FullName;
        Sysfs = new FakeSysfs(Path.Combine(Root, "sys"));
        Directory.CreateDirectory(Proc);
        Directory.CreateDirectory(Dev);
        WriteProc("sys/kernel/osrelease", kernel);
        WriteProc("cmdline", "BOOT_IMAGE=/boot/vmlinuz-" + kernel + " root=UUID=0b4c8e4e ro quiet");
        WriteProc("modules", string.Empty);
        WriteProc("iomem", string.Empty);
    }

    public string Root { get; }

    public FakeSysfs Sysfs { get; }

    public string Sys => Sysfs.Root;

    public string Proc => Path.Combine(Root, "proc");

    public string Dev => Path.Combine(Root, "dev");

    public void WriteProc(string relative, string text) => Write(Path.Combine(Proc, relative), text);

    /// <summary>/proc/modules lines for <paramref name="names"/>, as lsmod reads them.</summary>
    public void LoadModules(params string[] names) =>
        WriteProc("modules", string.Concat(names.Select(n => $"{n} 65536 0 - Live 0x0000000000000000\n")));

    /// <summary>A hardware IOMMU unit (/sys/class/iommu/dmar0 on Intel, ivhd0 on AMD).</summary>
    public void AddIommu(string name = "dmar0") => Sysfs.Dir("class", "iommu", name);

    /// <summary>A device node (a plain file stands in: the checks only test that it exists and may be opened).</summary>
    public string AddNode(string relative)
    {
        string path = Path.Combine(Dev, relative);
        Write(path, string.Empty);
        return path;
    }

    /// <summary>
    /// A PCI function with its class, boot_vga and resource files. <paramref name="bars"/> are
    /// (index, start, end, flags) with the flags sysfs prints (0x40200 a 32-bit memory BAR,
    /// 0x14220c a 64-bit prefetchable one, 0x40101 I/O).
    /// </summary>
    public string AddPci(string address, string? driver, int? group, uint pciClass, bool? bootVga = null, params (int Index, ulong Start, ulong End, ulong Flags)[] bars)
    {
        string dir = Sysfs.AddPci(address, driver, group);
        Write(Path.Combine(dir, "class"), $"0x{pciClass:x6}");
        if (bootVga is bool b)
        {
            Write(Path.Combine(dir, "boot_vga"), b ? "1" : "0");
        }

        var lines = new string[13];
        Array.Fill(lines, "0x0000000000000000 0x0000000000000000 0x0000000000000000");
        foreach (var bar in bars)
        {
            lines[bar.Index] = $"0x{bar.Start:x16} 0x{bar.End:x16} 0x{bar.Flags:x16}";
        }

        Write(Path.Combine(dir, "resource"), string.Join('\n', lines) + "\n");
        return dir;
    }

    /// <summary>/sys/class/vtconsole/vtconN with its name ("(S) VGA+", "(M) frame buffer device") and bind.</summary>
    public void AddVtConsole(int n, string name, bool bound)
    {
        string dir = Sysfs.Dir("class", "vtconsole", $"vtcon{n}");
        Write(Path.Combine(dir, "name"), name);
        Write(Path.Combine(dir, "bind"), bound ? "1" : "0");
    }

    /// <summary>A process holding <paramref name="target"/> open: /proc/PID/fd/N links to it, comm names it.</summary>
    public void AddHolder(int pid, string comm, string target)
    {
        string fd = Path.Combine(Proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "fd");
        Directory.CreateDirectory(fd);
        File.CreateSymbolicLink(Path.Combine(fd, "7"), target);
        Write(Path.Combine(Proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "comm"), comm);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Length == 0 || text.EndsWith('\n') ? text : text + "\n");
    }
}
