using System.Globalization;
using System.Text.RegularExpressions;
using VgpuView.VfioPlanes.Discovery;

namespace VgpuView.VfioPlanes.Devices;

/// <summary>What kind of device a <see cref="DeviceSpec"/> names.</summary>
public enum DeviceSpecKind
{
    /// <summary>The simulated vGPU; <see cref="DeviceSpec.Value"/> holds its option text.</summary>
    Sim,

    /// <summary>A mediated device; the value is its UUID in lower case.</summary>
    Mdev,

    /// <summary>A VFIO PCI device; the value is its address, domain included, in lower case.</summary>
    Pci,

    /// <summary>A VFIO device cdev; the value is its path, /dev/vfio/devices/vfioN.</summary>
    Cdev,

    /// <summary>A VFIO device fd inherited from the parent process; the value is its number.</summary>
    Fd,
}

/// <summary>
/// The device a user names on the command line, parsed and in canonical form. Parsing touches
/// the file system only to resolve a sysfs path that names neither a UUID nor a PCI address.
/// </summary>
public sealed partial record DeviceSpec
{
    /// <summary>The forms <see cref="Parse(string)"/> accepts, for messages and help text.</summary>
    public const string AcceptedForms =
        "sim or sim:OPTIONS, an mdev UUID (1b2c3d4e-0000-4000-8000-000000000001), /sys/bus/mdev/devices/<uuid> "
        + "or another sysfs device path, a PCI address (0000:00:02.0 or 00:02.0), /dev/vfio/devices/vfioN, "
        + "or fd:N (a VFIO device fd inherited from the parent process)";

    private DeviceSpec(DeviceSpecKind kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    public DeviceSpecKind Kind { get; }

    /// <summary>The canonical value: sim options (may be empty), UUID, PCI address, cdev path or fd number.</summary>
    public string Value { get; }

    /// <summary>The inherited descriptor number for <see cref="DeviceSpecKind.Fd"/>, else -1.</summary>
    public int Fd => Kind == DeviceSpecKind.Fd ? int.Parse(Value, CultureInfo.InvariantCulture) : -1;

    /// <summary>A short name for messages: "mdev 1b2c3d4e…", "pci 0000:00:02.0", "cdev vfio3", "fd:5", "sim:mbochs".</summary>
    public string DisplayName => Kind switch
    {
        DeviceSpecKind.Mdev => "mdev " + Value[..8] + "…",
        DeviceSpecKind.Pci => "pci " + Value,
        DeviceSpecKind.Cdev => "cdev " + Path.GetFileName(Value),
        _ => ToString(),
    };

    /// <summary>Parses <paramref name="text"/>; sysfs paths are resolved under "/sys".</summary>
    public static DeviceSpec Parse(string text) => Parse(text, new SysfsTree());

    /// <summary>
    /// Parses <paramref name="text"/>. A path under <paramref name="sysfs"/>'s root (or under
    /// /sys) is resolved to the mdev UUID or PCI address it names.
    /// </summary>
    /// <exception cref="FormatException">The text is none of <see cref="AcceptedForms"/>.</exception>
    public static DeviceSpec Parse(string text, SysfsTree sysfs)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sysfs);
        string t = text.Trim();

        if (t == "sim")
        {
            return new DeviceSpec(DeviceSpecKind.Sim, string.Empty);
        }

        if (t.StartsWith("sim:", StringComparison.Ordinal))
        {
            return new DeviceSpec(DeviceSpecKind.Sim, t["sim:".Length..]);
        }

        if (t.StartsWith("fd:", StringComparison.Ordinal))
        {
            string n = t["fd:".Length..];
            if (n.Length == 0 || !n.All(char.IsAsciiDigit) || !int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
            {
                throw new FormatException($"'{IO.PrintableText.Of(text)}' is not a device spec: fd:N needs a file descriptor number N >= 0 (fd:3), got '{IO.PrintableText.Of(n)}'");
            }

            return new DeviceSpec(DeviceSpecKind.Fd, fd.ToString(CultureInfo.InvariantCulture));
        }

        if (TryParseName(t) is DeviceSpec named)
        {
            return named;
        }

        if (CdevPattern().IsMatch(t))
        {
            return new DeviceSpec(DeviceSpecKind.Cdev, t);
        }

        if (IsUnder(t, sysfs.Root) || IsUnder(t, "/sys"))
        {
            return ParseSysfsPath(text, t);
        }

        throw new FormatException($"'{IO.PrintableText.Of(text)}' is not a device spec: expected {AcceptedForms}");
    }

    /// <summary>The canonical text: "sim", "sim:OPTIONS", the UUID, the PCI address, the cdev path, "fd:N".</summary>
    public override string ToString() => Kind switch
    {
        DeviceSpecKind.Sim => Value.Length == 0 ? "sim" : "sim:" + Value,
        DeviceSpecKind.Fd => "fd:" + Value,
        _ => Value,
    };

    /// <summary>An mdev UUID or PCI address, in any case; null when <paramref name="name"/> is neither.</summary>
    internal static DeviceSpec? TryParseName(string name)
    {
        if (UuidPattern().IsMatch(name))
        {
            return new DeviceSpec(DeviceSpecKind.Mdev, name.ToLowerInvariant());
        }

        Match pci = PciPattern().Match(name);
        if (pci.Success)
        {
            string domain = pci.Groups["domain"].Success ? pci.Groups["domain"].Value : "0000";
            string address = $"{domain}:{pci.Groups["bus"].Value}:{pci.Groups["dev"].Value}.{pci.Groups["fn"].Value}";
            return new DeviceSpec(DeviceSpecKind.Pci, address.ToLowerInvariant());
        }

        return null;
    }

    private static DeviceSpec ParseSysfsPath(string text, string path)
    {
        string trimmed = path.TrimEnd('/');
        if (TryParseName(Path.GetFileName(trimmed)) is DeviceSpec direct)
        {
            return direct;
        }

        // /sys/class/vfio-dev/vfioN names the cdev of a device; other links (a class device,
        // /sys/dev/char/M:N) resolve to the device's own directory, whose name is the UUID or address.
        string name = Path.GetFileName(trimmed);
        if (VfioDevNamePattern().IsMatch(name) && Path.GetFileName(Path.GetDirectoryName(trimmed)) == "vfio-dev")
        {
            return new DeviceSpec(DeviceSpecKind.Cdev, "/dev/vfio/devices/" + name);
        }

        string? real = SysfsTree.RealPath(trimmed);
        for (string? dir = real; dir is not null && dir.Length > 1; dir = Path.GetDirectoryName(dir))
        {
            if (TryParseName(Path.GetFileName(dir)) is DeviceSpec resolved)
            {
                return resolved;
            }
        }

        string why = real is null ? "it does not exist" : $"it resolves to {real}, which is inside no mdev or PCI device";
        throw new FormatException($"'{IO.PrintableText.Of(text)}' is not a device spec: a sysfs path must name an mdev (its UUID) or a PCI device (its address), but {why}");
    }

    private static bool IsUnder(string path, string root)
    {
        string r = root.TrimEnd('/');
        return r.Length > 0 && path.StartsWith(r + "/", StringComparison.Ordinal);
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidPattern();

    // Domain (optional, 4 hex digits), bus (2), device (2, 00-1f), function (0-7): lspci -D's form.
    [GeneratedRegex("^(?:(?<domain>[0-9a-fA-F]{4}):)?(?<bus>[0-9a-fA-F]{2}):(?<dev>[01][0-9a-fA-F])\\.(?<fn>[0-7])$")]
    private static partial Regex PciPattern();

    [GeneratedRegex("^/dev/vfio/devices/vfio[0-9]+$")]
    private static partial Regex CdevPattern();

    [GeneratedRegex("^vfio[0-9]+$")]
    private static partial Regex VfioDevNamePattern();
}
