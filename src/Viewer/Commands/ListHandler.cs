using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes.Discovery;

namespace VgpuView.Viewer.Commands;

/// <summary>`vgpuview list`: what sysfs says about mdev parents, types, mdev devices and VFIO PCI devices.</summary>
internal sealed class ListHandler(CommandContext context)
{
    public int Run(bool json)
    {
        DiscoveryReport report = context.Opener.Sysfs.Discover();
        if (json)
        {
            WriteJson(report);
        }
        else
        {
            WriteText(report);
        }

        foreach (string problem in report.Problems)
        {
            context.Error.WriteLine($"vgpuview: {problem}");
        }

        return ExitCodes.Success;
    }

    private void WriteText(DiscoveryReport report)
    {
        TextWriter o = context.Output;
        if (report.IsEmpty)
        {
            o.WriteLine($"No mdev parents, mdev devices or VFIO PCI devices under {context.Opener.Sysfs.Root}.");
            o.WriteLine("Load an mdev driver (for example: modprobe mbochs) or bind a PCI device to vfio-pci; 'vgpuview watch sim' shows the built-in simulated vGPU.");
            return;
        }

        foreach (MdevParent parent in report.Parents)
        {
            o.WriteLine($"parent {parent.Name}");
            foreach (MdevType type in TypesOf(report, parent))
            {
                string available = type.AvailableInstances is int n ? n.ToString() : "?";
                o.WriteLine($"  type {type.Id}  name {type.Name ?? "-"}  available {available}  api {type.DeviceApi ?? "-"}");
                if (!string.IsNullOrWhiteSpace(type.Description))
                {
                    o.WriteLine($"       {type.Description.ReplaceLineEndings(" ").Trim()}");
                }
            }
        }

        foreach (MdevDevice mdev in report.MdevDevices)
        {
            o.WriteLine($"mdev {mdev.Uuid}  type {mdev.TypeId ?? "?"}  parent {mdev.Parent ?? "?"}  driver {mdev.Driver ?? "none"}  " +
                $"iommu_group {(mdev.IommuGroup is int g ? g.ToString() : "none")}" +
                (mdev.CdevName is null ? string.Empty : $"  cdev /dev/vfio/devices/{mdev.CdevName}"));
        }

        foreach (VfioPciDevice pci in report.PciDevices)
        {
            o.WriteLine($"pci {pci.Address}  {pci.VendorId}:{pci.DeviceId}  driver {pci.Driver}  " +
                $"iommu_group {(pci.IommuGroup is int g ? g.ToString() : "none")}");
        }
    }

    private void WriteJson(DiscoveryReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("parents");
            foreach (MdevParent parent in report.Parents)
            {
                json.WriteStartObject();
                json.WriteString("name", parent.Name);
                json.WriteStartArray("types");
                foreach (MdevType type in TypesOf(report, parent))
                {
                    json.WriteStartObject();
                    json.WriteString("id", type.Id);
                    json.WriteString("name", type.Name);
                    json.WriteString("description", type.Description);
                    WriteNumberOrNull(json, "available_instances", type.AvailableInstances);
                    json.WriteString("device_api", type.DeviceApi);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("mdevs");
            foreach (MdevDevice mdev in report.MdevDevices)
            {
                json.WriteStartObject();
                json.WriteString("uuid", mdev.Uuid);
                json.WriteString("type", mdev.TypeId);
                json.WriteString("parent", mdev.Parent);
                json.WriteString("driver", mdev.Driver);
                WriteNumberOrNull(json, "iommu_group", mdev.IommuGroup);
                json.WriteString("cdev", mdev.CdevName);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("pci");
            foreach (VfioPciDevice pci in report.PciDevices)
            {
                json.WriteStartObject();
                json.WriteString("address", pci.Address);
                json.WriteString("vendor", pci.VendorId);
                json.WriteString("device", pci.DeviceId);
                json.WriteString("driver", pci.Driver);
                WriteNumberOrNull(json, "iommu_group", pci.IommuGroup);
                json.WriteString("cdev", pci.CdevName);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static IEnumerable<MdevType> TypesOf(DiscoveryReport report, MdevParent parent) =>
        report.Types.Where(t => t.Parent == parent.Name);

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
