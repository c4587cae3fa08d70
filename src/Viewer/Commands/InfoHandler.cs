using System.Text;
using System.Text.Json;
using VgpuView.Viewer.Rendering;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Commands;

/// <summary>`vgpuview info`: what the device says about itself, its regions, and both planes now.</summary>
internal sealed class InfoHandler(CommandContext context)
{
    // ENOMEM, EAGAIN and EINTR pass: the stock mbochs fails the first query for a mode it has no
    // buffer for yet (every mode change, and the first query after the device is opened) and
    // answers the next one. info asks a few times before it reports such an answer.
    internal const int TransientTries = 5;
    private static readonly TimeSpan s_transientPause = TimeSpan.FromMilliseconds(20);

    public int Run(string spec, bool json)
    {
        using VgpuDevice device = context.Opener.Open(spec);
        DeviceInfo info = device.GetInfo();
        PlaneSupport support = device.Probe();
        var regions = new List<RegionInfo>(device.GetRegions());
        // A VFIO device without a display answers neither probe: there are no planes to ask for.
        PlaneQuery? query = support.Any ? new PlaneQuery(device) : null;
        PlaneAnswer primary = query is null ? PlaneAnswer.NoDisplay : Ask(query, PlaneType.Primary);
        PlaneAnswer cursor = query is null ? PlaneAnswer.NoDisplay : Ask(query, PlaneType.Cursor);
        AddPlaneRegion(device, regions, primary);
        AddPlaneRegion(device, regions, cursor);
        EdidRegionState? edid = EdidRegionState.Read(device);

        GpuReport gpu = GpuReport.Probe();
        if (json)
        {
            WriteJson(device, info, support, regions, edid, primary, cursor, gpu);
        }
        else
        {
            WriteText(device, info, support, regions, edid, primary, cursor, gpu);
        }

        // Everything readable is printed above; a plane that could not be read still fails the command.
        if (primary.Result.Status == PlaneStatus.Gone || cursor.Result.Status == PlaneStatus.Gone)
        {
            int errno = primary.Result.Status == PlaneStatus.Gone ? primary.Result.Errno : cursor.Result.Errno;
            context.Error.WriteLine($"vgpuview: {device.Name}: device gone ({Errno.Name(errno)})");
            return ExitCodes.DeviceFailure;
        }

        int code = ExitCodes.Success;
        foreach (PlaneAnswer plane in (ReadOnlySpan<PlaneAnswer>)[primary, cursor])
        {
            if (plane.Result.Status is PlaneStatus.Invalid or PlaneStatus.Transient)
            {
                context.Error.WriteLine($"vgpuview: {plane.Message}");
                code = ExitCodes.DeviceFailure;
            }
        }

        return code;
    }

    private void WriteText(VgpuDevice device, DeviceInfo info, PlaneSupport support, IReadOnlyList<RegionInfo> regions, EdidRegionState? edid,
        PlaneAnswer primary, PlaneAnswer cursor, GpuReport gpu)
    {
        TextWriter o = context.Output;
        o.WriteLine($"device   {device.Name}");
        o.WriteLine($"flags    {string.Join(' ', info.FlagNames)}");
        o.WriteLine($"regions  {info.NumRegions}, irqs {info.NumIrqs}");
        o.WriteLine($"planes   dmabuf {(support.DmaBuf ? "yes" : "no")}, region {(support.Region ? "yes" : "no")}" +
            (support.Any ? string.Empty : " (this device exports no display through VFIO: a GPU assigned whole shows its picture " +
                "through the guest's own output, not through VFIO's display interface)"));
        foreach (RegionInfo r in regions)
        {
            string flags = string.Join(',', RegionFlags(r));
            string cap = r.CapType is { } t ? $" type {t.Type}/{t.Subtype}{(t.IsEdid ? " (EDID)" : string.Empty)}" : string.Empty;
            string sparse = r.SparseAreas.Count > 0 ? $" sparse {r.SparseAreas.Count} areas" : string.Empty;
            string beyond = r.Index >= info.NumRegions ? " (beyond num_regions: the plane's region)" : string.Empty;
            o.WriteLine($"region {r.Index,2} size 0x{r.Size:x} offset 0x{r.Offset:x} {flags}{cap}{sparse}{beyond}");
        }

        if (edid is not null)
        {
            o.WriteLine($"edid     {EdidText.Describe(edid)}");
            if (EdidText.Hint(edid) is string hint)
            {
                o.WriteLine($"         {hint}");
            }
        }

        if (support.Any)
        {
            o.WriteLine($"{PlaneType.Primary.Name(),-9}{Describe(primary)}");
            o.WriteLine($"{PlaneType.Cursor.Name(),-9}{Describe(cursor)}");
        }

        o.WriteLine(gpu.Error is null
            ? $"gpu      {gpu.Description}"
            : $"gpu      unavailable: {gpu.Error}");
    }

    // A region plane can live in a region beyond num_regions (mdpy's is 16): list it too, so the
    // region the plane names is on the page.
    private static void AddPlaneRegion(VgpuDevice device, List<RegionInfo> regions, PlaneAnswer plane)
    {
        if (plane.Result.Status == PlaneStatus.Enabled && plane.Result.Info.Kind == PlaneBufferKind.Region &&
            !regions.Exists(r => r.Index == plane.Result.Info.Id) && device.TryGetRegionInfo(plane.Result.Info.Id) is { } region)
        {
            regions.Add(region);
        }
    }

    /// <summary>Queries <paramref name="plane"/>, asking again a few times while the answer is transient.</summary>
    private PlaneAnswer Ask(PlaneQuery query, PlaneType plane)
    {
        PlaneQueryResult r = query.Query(plane);
        for (int tries = 1; r.Status == PlaneStatus.Transient; tries++)
        {
            if (tries == TransientTries || context.Cancellation.WaitHandle.WaitOne(s_transientPause))
            {
                string message = $"{query.Device.Name}: {plane.Name()} plane: VFIO_DEVICE_QUERY_GFX_PLANE failed with " +
                    $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(r.Errno)} ({Errno.Name(r.Errno)}) " +
                    $"{tries} times in a row; the device may answer later";
                return new PlaneAnswer(r, message);
            }

            r = query.Query(plane);
        }

        return new PlaneAnswer(r, r.Message);
    }

    private static string Describe(PlaneAnswer a) => a.Result.Status switch
    {
        PlaneStatus.Enabled => PlaneDescription.Describe(a.Result.Info),
        PlaneStatus.Disabled => "disabled",
        _ => $"{a.Result.Status.ToString().ToLowerInvariant()}: {a.Message}",
    };

    private void WriteJson(VgpuDevice device, DeviceInfo info, PlaneSupport support, IReadOnlyList<RegionInfo> regions, EdidRegionState? edid,
        PlaneAnswer primary, PlaneAnswer cursor, GpuReport gpu)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("device", device.Name);
            json.WriteString("spec", device.Spec);
            json.WriteStartArray("flags");
            foreach (string f in info.FlagNames)
            {
                json.WriteStringValue(f);
            }

            json.WriteEndArray();
            json.WriteNumber("num_regions", info.NumRegions);
            json.WriteNumber("num_irqs", info.NumIrqs);
            json.WriteStartObject("probe");
            json.WriteBoolean("dmabuf", support.DmaBuf);
            json.WriteBoolean("region", support.Region);
            json.WriteEndObject();
            json.WriteStartArray("regions");
            foreach (RegionInfo r in regions)
            {
                json.WriteStartObject();
                json.WriteNumber("index", r.Index);
                json.WriteNumber("size", r.Size);
                json.WriteNumber("offset", r.Offset);
                json.WriteStartArray("flags");
                foreach (string f in RegionFlags(r))
                {
                    json.WriteStringValue(f);
                }

                json.WriteEndArray();
                if (r.CapType is { } t)
                {
                    json.WriteStartObject("cap_type");
                    json.WriteNumber("type", t.Type);
                    json.WriteNumber("subtype", t.Subtype);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("cap_type");
                }

                json.WriteStartArray("sparse_mmap");
                foreach (var area in r.SparseAreas)
                {
                    json.WriteStartObject();
                    json.WriteNumber("offset", area.Offset);
                    json.WriteNumber("size", area.Size);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            EdidText.Write(json, "edid", edid);
            json.WriteStartObject("planes");
            WritePlane(json, PlaneType.Primary.Name(), support, primary);
            WritePlane(json, PlaneType.Cursor.Name(), support, cursor);
            json.WriteEndObject();
            json.WriteStartObject("gpu");
            json.WriteBoolean("available", gpu.Error is null);
            json.WriteString("description", gpu.Description);
            json.WriteBoolean("dmabuf_import", gpu.CanImport);
            json.WriteString("error", gpu.Error);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static void WritePlane(Utf8JsonWriter json, string name, PlaneSupport support, PlaneAnswer a)
    {
        json.WriteStartObject(name);
        bool enabled = support.Any && a.Result.Status == PlaneStatus.Enabled;
        json.WriteBoolean("enabled", enabled);
        if (enabled)
        {
            PlaneText.WriteFields(json, a.Result.Info, a.Result.Info.Kind);
        }
        else if (support.Any && a.Result.Status != PlaneStatus.Disabled)
        {
            json.WriteString("status", a.Result.Status.ToString().ToLowerInvariant());
            json.WriteString("error", a.Message);
        }

        json.WriteEndObject();
    }

    /// <summary>A plane query's final answer and, when it is not usable, why.</summary>
    private sealed record PlaneAnswer(PlaneQueryResult Result, string? Message)
    {
        public static PlaneAnswer NoDisplay { get; } = new(PlaneQueryResult.NoDisplay, null);
    }

    private static IEnumerable<string> RegionFlags(RegionInfo r)
    {
        if (r.Readable)
        {
            yield return "read";
        }

        if (r.Writable)
        {
            yield return "write";
        }

        if (r.Mappable)
        {
            yield return "mmap";
        }
    }

    /// <summary>What the GL renderer would use here: the EGL/GL versions, renderer, and whether dma-bufs import.</summary>
    private sealed record GpuReport(string? Description, bool CanImport, string? Error)
    {
        public static GpuReport Probe()
        {
            try
            {
                using var gpu = new GpuCompositor(TextWriter.Null);
                return new GpuReport(gpu.Description, gpu.CanImport, null);
            }
            catch (Exception e) when (e is EglException or GlException or DllNotFoundException or EntryPointNotFoundException)
            {
                return new GpuReport(null, false, e.Message);
            }
        }
    }
}
