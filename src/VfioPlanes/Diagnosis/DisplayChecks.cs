using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.VfioPlanes.Diagnosis;

/// <summary>
/// The display checks of an opened device: does it export a display at all, is the guest
/// showing something on it now, does the guest see a monitor (the EDID region's link), and can
/// the CPU map the dma-buf it hands out. Nothing is written to the device.
/// </summary>
public static class DisplayChecks
{
    // The stock mbochs fails the first query after an open or a mode change with ENOMEM and
    // answers the next one: a few tries before a transient answer is reported.
    private const int TransientTries = 5;

    /// <param name="device">The opened device.</param>
    /// <param name="spec">The device spec the user gave, for the advice's command lines.</param>
    /// <param name="wholePci">A PCI function assigned whole (vfio-pci), whose picture normally leaves through the guest's own outputs.</param>
    /// <param name="mayFetchDmaBuf">
    /// Whether one dma-buf may be fetched to try a CPU mapping. Not for an inherited fd: the stock
    /// mbochs keeps no reference for a second export of the same buffer in one open
    /// (mbochs_get_gfx_dmabuf), so a fetch while the parent holds the same device could corrupt it.
    /// </param>
    public static IEnumerable<DoctorCheck> Run(VgpuDevice device, string spec, bool wholePci, bool mayFetchDmaBuf)
    {
        ArgumentNullException.ThrowIfNull(device);
        string looked = $"VFIO_DEVICE_QUERY_GFX_PLANE probe on {device.Name}";
        PlaneSupport support = device.Probe();
        string kinds = $"dma-buf planes {(support.DmaBuf ? "yes" : "no")}, region planes {(support.Region ? "yes" : "no")}";
        if (!support.Any)
        {
            yield return wholePci
                ? new DoctorCheck("display.probe", CheckStatus.Info, looked,
                    $"{kinds}: it exports no display through VFIO. A GPU assigned whole shows its picture through the guest's own output " +
                    "(its connectors, or a remote display the guest runs), not through VFIO's display interface; vgpuview shows mdevs and devices that export planes")
                : new DoctorCheck("display.probe", CheckStatus.Problem, looked, $"{kinds}: it exports no display",
                    "vgpuview needs a device whose driver exports planes (mbochs, mdpy, GVT-g, a vGPU driver with display support)");
            yield break;
        }

        yield return new DoctorCheck("display.probe", CheckStatus.Ok, looked, kinds);

        var query = new PlaneQuery(device);
        PlaneQueryResult primary = query.Query(PlaneType.Primary);
        for (int tries = 1; primary.Status == PlaneStatus.Transient && tries < TransientTries; tries++)
        {
            Thread.Sleep(20);
            primary = query.Query(PlaneType.Primary);
        }

        string planeLooked = $"VFIO_DEVICE_QUERY_GFX_PLANE primary on {device.Name}";
        yield return primary.Status switch
        {
            PlaneStatus.Enabled => new DoctorCheck("display.plane", CheckStatus.Ok, planeLooked,
                $"enabled: {primary.Info.Width}x{primary.Info.Height} {primary.Info.FormatName} {DrmModifier.ToText(primary.Info.Modifier)}, " +
                (primary.Info.Kind == PlaneBufferKind.DmaBuf ? $"dma-buf id {primary.Info.Id}" : $"region {primary.Info.Id}")),
            PlaneStatus.Disabled => new DoctorCheck("display.plane", CheckStatus.Warning, planeLooked,
                "disabled: the guest has not enabled its display (not booted yet, no display driver, or the screen blanked)",
                $"start the guest's display driver; vgpuview capture {spec} --wait-enabled 60 waits for it"),
            PlaneStatus.Transient => new DoctorCheck("display.plane", CheckStatus.Warning, planeLooked,
                $"the query failed {TransientTries} times in a row with {Errno.Name(primary.Errno)}, which the device may stop saying later", "ask again"),
            _ => new DoctorCheck("display.plane", CheckStatus.Problem, planeLooked, primary.Message ?? primary.Status.ToString(),
                primary.Status == PlaneStatus.Gone ? "the device was removed" : "the vGPU driver answers a plane vgpuview cannot use; report it to the driver's maintainers"),
        };

        yield return Edid(device, spec);

        if (primary.Status == PlaneStatus.Enabled && primary.Info.Kind == PlaneBufferKind.DmaBuf)
        {
            yield return mayFetchDmaBuf
                ? CpuMap(device, spec, primary.Info)
                : new DoctorCheck("display.dmabuf", CheckStatus.Info, $"the {PlaneType.Primary.Name()} plane's dma-buf id {primary.Info.Id}",
                    "not fetched through an inherited fd, whose parent may hold the same buffer");
        }
    }

    private static DoctorCheck Edid(VgpuDevice device, string spec)
    {
        string looked = $"the EDID region (VFIO_REGION_SUBTYPE_GFX_EDID) of {device.Name}";
        EdidRegionState? edid = EdidRegionState.Read(device);
        if (edid is null)
        {
            return new DoctorCheck("display.edid", CheckStatus.Info, looked, "none: the device offers no EDID region, so the guest's mode is the guest's own choice");
        }

        string fix = $"run `vgpuview edid {spec} --mode 1024x768` (as a VMM does: writes an EDID, then brings the link up)";
        looked = $"region {edid.RegionIndex} of {device.Name} (the EDID region)";
        if (!edid.HeaderRead || edid.Problem is not null)
        {
            return new DoctorCheck("display.edid", CheckStatus.Problem, looked, edid.Problem ?? "the header cannot be read", fix);
        }

        if (edid.DriverMonitor)
        {
            return new DoctorCheck("display.edid", CheckStatus.Ok, looked,
                $"link not set by any VMM, the driver's own blob of {edid.EdidSize} bytes: {edid.Block}; the guest sees that monitor");
        }

        if (edid.Link != EdidLink.Up || edid.EdidSize == 0)
        {
            string state = edid.Link == EdidLink.Up ? "link up with no EDID blob (edid_size 0)" : $"link {edid.LinkText}, blob {edid.EdidSize} bytes";
            return new DoctorCheck("display.edid", CheckStatus.Problem, looked,
                $"{state}: the guest sees no monitor, and a guest driver such as bochs-drm then enables no display", fix);
        }

        string monitor = edid.Block?.ToString() ?? edid.BlockProblem ?? "a blob that does not parse";
        return new DoctorCheck("display.edid", CheckStatus.Ok, looked, $"link up, blob {edid.EdidSize} bytes: {monitor}");
    }

    private static DoctorCheck CpuMap(VgpuDevice device, string spec, in PlaneInfo plane)
    {
        string looked = $"VFIO_DEVICE_GET_GFX_DMABUF {plane.Id} and a read-only mmap of it";
        using var cache = new DmaBufCache(device, capacity: 2);
        if (!cache.TryAcquire(plane, out DmaBufEntry? entry, out int errno))
        {
            return new DoctorCheck("display.dmabuf", CheckStatus.Problem, looked, $"the device gave no dma-buf ({Errno.Name(errno)})",
                "the guest may have changed its mode meanwhile: ask again");
        }

        try
        {
            using PlaneMemory memory = entry.BeginCpuRead();
            return new DoctorCheck("display.dmabuf", CheckStatus.Ok, looked, $"the CPU maps it ({memory.Bytes.Length} bytes): capture and a software renderer can read it");
        }
        catch (VfioException e) when (e.Operation == "mmap")
        {
            return new DoctorCheck("display.dmabuf", CheckStatus.Warning, looked,
                $"the CPU cannot map it ({Errno.Name(e.Errno)}; the stock mbochs exports read-only dma-bufs): CPU capture and a software renderer cannot read it",
                $"vgpuview capture {spec} --gpu on a machine whose GPU driver imports dma-bufs");
        }
        finally
        {
            cache.Release(entry);
        }
    }
}
