namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>How one doctor check turned out.</summary>
public enum CheckStatus
{
    /// <summary>What was looked at is as it should be.</summary>
    Ok,

    /// <summary>A fact worth knowing that stops nothing.</summary>
    Info,

    /// <summary>Something that limits what works (no dma-buf import, no window) or that the guest, not the host, decides.</summary>
    Warning,

    /// <summary>Something that keeps vgpuview from opening the device or getting a picture from it.</summary>
    Problem,
}

/// <summary>
/// One line of `vgpuview doctor`: what was looked at, what was found there and, when it is not
/// as it should be, what to do about it on this machine.
/// </summary>
/// <param name="Id">A stable name for scripts ("iommu", "console", "display.edid").</param>
/// <param name="Looked">The files, nodes or calls read.</param>
/// <param name="Found">What they said.</param>
/// <param name="Fix">What to do, for a warning or a problem; null when nothing needs doing.</param>
public sealed record DoctorCheck(string Id, CheckStatus Status, string Looked, string Found, string? Fix = null)
{
    /// <summary>For the console check: every region a console or firmware framebuffer claims inside one of the device's BARs.</summary>
    public IReadOnlyList<ConsoleClaim> Claims { get; init; } = [];

    /// <summary>"ok", "info", "warning", "problem", as text and JSON show it.</summary>
    public string StatusText => Status switch
    {
        CheckStatus.Ok => "ok",
        CheckStatus.Info => "info",
        CheckStatus.Warning => "warning",
        _ => "problem",
    };
}

/// <summary>A region of /proc/iomem inside a BAR of a display device, claimed by a driver other than the PCI core.</summary>
/// <param name="Bar">The BAR index (0-5).</param>
/// <param name="Name">The claimer's name as /proc/iomem shows it ("vesafb", "BOOTFB", "efifb", "i915").</param>
/// <param name="IsConsole">A firmware framebuffer or boot console driver, which vfio-pci (kernel 6.0 on) removes from a VGA device.</param>
public sealed record ConsoleClaim(int Bar, ulong Start, ulong End, string Name, bool IsConsole)
{
    public override string ToString() => $"{Name} at 0x{Start:x}-0x{End:x} (BAR {Bar})";
}
