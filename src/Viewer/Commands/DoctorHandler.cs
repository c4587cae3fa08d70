using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Diagnosis;

namespace VgpuView.Viewer.Commands;

/// <summary>
/// `vgpuview doctor [DEVICE]`: why a device gives no picture. Checks the host (kernel, modules,
/// VFIO nodes, IOMMU), the named device (driver, group, permissions, who holds it, the boot
/// console over its BARs), its display and the renderer, one line each; exit 1 when any found a
/// problem. Reads sysfs, procfs and /dev only; the device is opened as `info` opens it.
/// </summary>
internal sealed class DoctorHandler(CommandContext context, HostRoots? roots = null)
{
    /// <summary>sysfs as the opener reads it; procfs and /dev from VGPUVIEW_PROC and VGPUVIEW_DEV, for tests and chroots.</summary>
    internal static HostRoots RootsFor(IDeviceOpener opener) => new(
        opener.Sysfs.Root,
        Environment.GetEnvironmentVariable("VGPUVIEW_PROC") ?? "/proc",
        Environment.GetEnvironmentVariable("VGPUVIEW_DEV") ?? "/dev");

    public int Run(string? spec, bool json)
    {
        HostRoots hostRoots = roots ?? RootsFor(context.Opener);
        DeviceSpec? device = null;
        if (spec is not null)
        {
            try
            {
                device = DeviceSpec.Parse(spec, context.Opener.Sysfs);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message, e);
            }
        }

        List<DoctorCheck> checks = Examine(hostRoots, device, spec);
        if (json)
        {
            WriteJson(hostRoots, device, checks);
        }
        else
        {
            WriteText(checks);
        }

        return checks.Any(c => c.Status == CheckStatus.Problem) ? ExitCodes.DeviceFailure : ExitCodes.Success;
    }

    private List<DoctorCheck> Examine(HostRoots host, DeviceSpec? device, string? spec)
    {
        var checks = new List<DoctorCheck>();
        bool openable = device is not null;
        if (device?.Kind == DeviceSpecKind.Sim)
        {
            checks.Add(new DoctorCheck("device", CheckStatus.Ok, device.ToString(), "the simulated vGPU: it needs no kernel support, IOMMU or permissions"));
        }
        else
        {
            checks.AddRange(HostChecks.Run(host, device is null ? DeviceNeed.Any : DeviceChecks.NeedOf(device)));
            if (device is not null)
            {
                var deviceChecks = new DeviceChecks(host);
                checks.AddRange(deviceChecks.Run(device));
                openable = deviceChecks.Openable;
            }
        }

        if (device is not null && openable)
        {
            VgpuDevice? opened = null;
            try
            {
                opened = context.Opener.Open(spec!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                checks.Add(new DoctorCheck("open", CheckStatus.Problem, device.ToString(), e.Message));
            }

            if (opened is not null)
            {
                using (opened)
                {
                    checks.Add(new DoctorCheck("open", CheckStatus.Ok, device.ToString(), $"opened as {opened.Name} (vgpuview issues no VFIO_DEVICE_RESET)"));
                    try
                    {
                        checks.AddRange(DisplayChecks.Run(opened, device.ToString(), device.Kind == DeviceSpecKind.Pci, device.Kind != DeviceSpecKind.Fd));
                    }
                    catch (IOException e)
                    {
                        checks.Add(new DoctorCheck("display", CheckStatus.Problem, opened.Name, e.Message));
                    }
                }
            }
        }
        else if (device is not null)
        {
            checks.Add(new DoctorCheck("open", CheckStatus.Info, device.ToString(), "not opened: the problems above stand in the way, so its display was not checked"));
        }

        checks.AddRange(RenderingChecks.Run(host.Dev));
        return checks;
    }

    // One line per check: status, name, what was looked at, what was found, and the fix.
    private void WriteText(List<DoctorCheck> checks)
    {
        TextWriter o = context.Output;
        foreach (DoctorCheck c in checks)
        {
            o.WriteLine($"{c.StatusText,-8} {c.Id,-14} {c.Looked}: {c.Found}" + (c.Fix is null ? string.Empty : $" -> fix: {c.Fix}"));
        }

        int problems = checks.Count(c => c.Status == CheckStatus.Problem);
        int warnings = checks.Count(c => c.Status == CheckStatus.Warning);
        o.WriteLine($"doctor: {problems} problem{(problems == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")}");
    }

    private void WriteJson(HostRoots host, DeviceSpec? device, List<DoctorCheck> checks)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("device", device?.ToString());
            json.WriteString("kernel", KernelVersion.Read(host)?.Release);
            json.WriteNumber("problems", checks.Count(c => c.Status == CheckStatus.Problem));
            json.WriteNumber("warnings", checks.Count(c => c.Status == CheckStatus.Warning));
            json.WriteStartArray("checks");
            foreach (DoctorCheck c in checks)
            {
                json.WriteStartObject();
                json.WriteString("id", c.Id);
                json.WriteString("status", c.StatusText);
                json.WriteString("looked", c.Looked);
                json.WriteString("found", c.Found);
                json.WriteString("fix", c.Fix);
                if (c.Id == "console")
                {
                    json.WriteStartArray("claims");
                    foreach (ConsoleClaim claim in c.Claims)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("bar", claim.Bar);
                        json.WriteString("start", $"0x{claim.Start:x}");
                        json.WriteString("end", $"0x{claim.End:x}");
                        json.WriteString("name", claim.Name);
                        json.WriteBoolean("console", claim.IsConsole);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
