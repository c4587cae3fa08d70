using System.Text.Json;
using static VgpuView.KernelGuest.Report;

namespace VgpuView.KernelGuest;

/// <summary>
/// The checks only a kernel with iommufd and the VFIO device cdev can run: vgpuview names the
/// mdev by /dev/vfio/devices/vfioN and opens it itself (bind, IOAS, attach), and the group and
/// the cdev of one device exclude each other (drivers/vfio/group.c, vfio_device_block_group).
/// The rest of the device checks run through the cdev as <see cref="Access.Cdev"/>.
/// </summary>
internal sealed partial class KernelChecks
{
    private void CheckCdevList()
    {
        Expect(File.Exists("/dev/iommu"), "this kernel is expected with CONFIG_IOMMUFD=y, but the guest has no /dev/iommu");
        (int code, string stdout, string stderr) = ViewerProcess.Run(["list", "--json"], s_run);
        Expect(code == 0, $"list --json exited {code}: {ViewerProcess.Tail(stderr)}");
        using JsonDocument doc = Json.Parse(stdout, "list --json");
        foreach (string uuid in new[] { mbochs, mdpy })
        {
            string node = GuestDevice.CdevOf(uuid);
            Expect(File.Exists(node), $"sysfs names the cdev {node} for {uuid}, but the node does not exist");
            JsonElement? m = Json.Array(doc.RootElement, "mdevs", "list").Cast<JsonElement?>()
                .FirstOrDefault(e => string.Equals(Json.Str(e!.Value, "uuid"), uuid, StringComparison.OrdinalIgnoreCase));
            Expect(m is not null, $"list shows no mdev {uuid}");
            Expect(Json.Str(m!.Value, "cdev") == Path.GetFileName(node), $"mdev {uuid}: cdev '{Json.Str(m.Value, "cdev")}', sysfs says {Path.GetFileName(node)}");
        }
    }

    private void CdevPathChecks()
    {
        string mbochsCdev = GuestDevice.CdevOf(mbochs);

        // mbochs keeps its DISPI registers across opens: the mode the guest set through its own
        // cdev open is the one vgpuview finds when it opens the cdev itself.
        report.Run("cdev.mbochs.watch-by-path", () =>
        {
            using (GuestDevice device = GuestDevice.OpenCdev(mbochs))
            {
                Bochs.SetMode(device, 1024, 768);
                Bochs.Draw(device, 1024, 768);
            }

            using ViewerProcess watch = ViewerProcess.Start(["watch", mbochsCdev, "--json", "--frames", "100000000", "--interval", "20"]);
            WatchEvent e = WaitPrimary(watch, e => e.Width == 1024 && e.Height == 768, "1024x768");
            Expect(e.Event == "enabled" && e.Format == "XR24" && e.Stride == 4096 && e.DmabufId is > 0, $"watch {mbochsCdev}: {e.Line}");
        });

        report.Run("cdev.mbochs.edid-by-path", () =>
        {
            (int code, string stdout, string stderr) = ViewerProcess.Run(["edid", mbochsCdev, "--mode", "1280x720"], s_run);
            Expect(code == 0 && stdout.Contains("link up", StringComparison.Ordinal) && stdout.Contains("preferred 1280x720", StringComparison.Ordinal),
                $"edid {mbochsCdev} --mode 1280x720 exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
            using (GuestDevice device = GuestDevice.OpenCdev(mbochs))
            {
                byte[] seen = GuestEdid(device);
                int width = seen[56] | ((seen[58] >> 4) << 8), height = seen[59] | ((seen[61] >> 4) << 8);
                Expect(Convert.ToHexString(seen[..8]) == "00FFFFFFFFFFFF00" && (width, height) == (1280, 720),
                    $"after edid through the cdev the guest reads {Convert.ToHexString(seen[..16])}..., preferred {width}x{height}");
            }

            (code, stdout, stderr) = ViewerProcess.Run(["edid", mbochsCdev, "--link", "down"], s_run);
            Expect(code == 0 && stdout.Contains("link down", StringComparison.Ordinal), $"edid {mbochsCdev} --link down exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
        });

        // While the guest holds the device bound through its cdev, its group does not open
        // (EBUSY), and vgpuview must say what holds it.
        report.Run("cdev.group-busy-while-bound", () =>
        {
            using GuestDevice device = GuestDevice.OpenCdev(mdpy);
            (int code, string stdout, string stderr) = ViewerProcess.Run(["info", mdpy], s_run);
            string said = ViewerProcess.Tail(stdout + stderr);
            Info($"info {mdpy} while its cdev is bound: exit {code}: {said}");
            Expect(code == 1, $"info {mdpy} through its group while the cdev is bound exited {code}, expected 1: {said}");
            Expect(said.Contains(GuestDevice.CdevOf(mdpy), StringComparison.Ordinal) && said.Contains($"pid {Environment.ProcessId}", StringComparison.Ordinal),
                $"the message does not name the bound cdev {GuestDevice.CdevOf(mdpy)} and its holder (pid {Environment.ProcessId}): {said}");
        });
    }
}
