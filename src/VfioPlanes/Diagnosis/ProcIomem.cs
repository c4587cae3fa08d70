using System.Globalization;

namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>One line of /proc/iomem: a physical address range, the name of who claimed it, and how deep it nests.</summary>
public sealed record IomemRegion(ulong Start, ulong End, string Name, int Depth)
{
    public bool Overlaps(ulong start, ulong end) => Start <= end && start <= End;
}

/// <summary>
/// /proc/iomem parsed (kernel/resource.c prints each resource as "start-end : name", indented
/// two spaces per nesting level, addresses in hex). Read by someone other than root the kernel
/// prints every address as zero, which <see cref="AddressesHidden"/> reports.
/// </summary>
public sealed class ProcIomem
{
    private ProcIomem(IReadOnlyList<IomemRegion> regions) => Regions = regions;

    public IReadOnlyList<IomemRegion> Regions { get; }

    /// <summary>Every range reads 0-0: the reader is not root (kernel/resource.c hides addresses from others).</summary>
    public bool AddressesHidden => Regions.Count > 0 && Regions.All(r => r.Start == 0 && r.End == 0);

    /// <summary>Reads /proc/iomem under <paramref name="roots"/>; null when it cannot be read.</summary>
    public static ProcIomem? Read(HostRoots roots) =>
        HostRoots.ReadText(roots.ProcPath("iomem")) is string text ? Parse(text) : null;

    /// <summary>Parses the text; a line that is not "start-end : name" is passed over.</summary>
    public static ProcIomem Parse(string text)
    {
        var regions = new List<IomemRegion>();
        foreach (string line in text.Split('\n'))
        {
            int indent = line.Length - line.TrimStart(' ').Length;
            string body = line.Trim();
            int colon = body.IndexOf(" : ", StringComparison.Ordinal);
            int dash = body.IndexOf('-');
            if (colon < 0 || dash < 0 || dash > colon
                || !ulong.TryParse(body.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(body.AsSpan(dash + 1, colon - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong end))
            {
                continue;
            }

            regions.Add(new IomemRegion(start, end, body[(colon + 3)..].Trim(), indent / 2));
        }

        return new ProcIomem(regions);
    }
}
