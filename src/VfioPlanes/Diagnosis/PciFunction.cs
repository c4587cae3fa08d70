using System.Globalization;

namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>One memory BAR of a PCI function, from its sysfs "resource" file.</summary>
public sealed record PciBar(int Index, ulong Start, ulong End)
{
    public ulong Size => End - Start + 1;
}

/// <summary>
/// What sysfs says about one PCI function that the doctor needs: class, driver, IOMMU group,
/// boot_vga and memory BARs (Documentation/PCI/sysfs-pci.rst: "resource" has one line per
/// resource, "start end flags" in hex; lines 0-5 are the BARs, 6 the ROM).
/// </summary>
public sealed record PciFunction(string Address, string SysfsPath, uint? Class, string? Driver, int? IommuGroup, bool? BootVga, IReadOnlyList<PciBar> MemoryBars)
{
    // include/linux/ioport.h: IORESOURCE_MEM.
    private const ulong IORESOURCE_MEM = 0x200;

    /// <summary>Base class 0x03: a display controller (VGA 0x0300, XGA 0x0301, 3D 0x0302, other 0x0380).</summary>
    public bool IsDisplay => Class is uint c && (c >> 16) == 0x03;

    /// <summary>Class 0x0300xx: a VGA-compatible controller, the only class vfio-pci's console removal covers.</summary>
    public bool IsVga => Class is uint c && (c >> 8) == 0x0300;

    /// <summary>A PCI-to-PCI bridge (class 0x0604), which the kernel lets share a group with a VFIO device.</summary>
    public bool IsBridge => Class is uint c && (c >> 8) == 0x0604;

    public bool IsVfioBound => Driver is not null && Driver.Contains("vfio", StringComparison.Ordinal);

    /// <summary>Reads the function at bus/pci/devices/<paramref name="address"/>; null when sysfs has none.</summary>
    public static PciFunction? Read(HostRoots roots, string address)
    {
        string path = roots.SysPath("bus", "pci", "devices", address);
        if (!Directory.Exists(path))
        {
            return null;
        }

        string? groupName = HostRoots.LinkName(Path.Combine(path, "iommu_group"));
        return new PciFunction(
            address,
            path,
            ParseHex(HostRoots.ReadText(Path.Combine(path, "class"))) is ulong c ? (uint)c : null,
            HostRoots.LinkName(Path.Combine(path, "driver")),
            int.TryParse(groupName, NumberStyles.None, CultureInfo.InvariantCulture, out int g) ? g : null,
            HostRoots.ReadText(Path.Combine(path, "boot_vga")) switch { "1" => true, "0" => false, _ => null },
            ParseBars(HostRoots.ReadText(Path.Combine(path, "resource"))));
    }

    internal static List<PciBar> ParseBars(string? resource)
    {
        var bars = new List<PciBar>();
        if (resource is null)
        {
            return bars;
        }

        string[] lines = resource.Split('\n');
        for (int i = 0; i < Math.Min(lines.Length, 6); i++)
        {
            string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && ParseHex(f[0]) is ulong start && ParseHex(f[1]) is ulong end && ParseHex(f[2]) is ulong flags
                && (flags & IORESOURCE_MEM) != 0 && end > start)
            {
                bars.Add(new PciBar(i, start, end));
            }
        }

        return bars;
    }

    private static ulong? ParseHex(string? text)
    {
        if (text is null)
        {
            return null;
        }

        ReadOnlySpan<char> t = text.AsSpan().Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
        }

        return ulong.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v) ? v : null;
    }
}
