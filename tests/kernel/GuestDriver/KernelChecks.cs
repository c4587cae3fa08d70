using System.Text.Json;
using VgpuView.Tests.Shared;
using static VgpuView.KernelGuest.Report;

namespace VgpuView.KernelGuest;

/// <summary>How the checks open an mdev: through its group, or its device cdev and iommufd.</summary>
/// <param name="Prefix">Put before each check's name: "" for the group, "cdev." for the cdev.</param>
/// <param name="Spec">The device spec vgpuview is given for an mdev (its UUID, or /dev/vfio/devices/vfioN).</param>
/// <param name="Open">How the guest driver itself opens it.</param>
internal sealed record Access(string Prefix, Func<string, string> Spec, Func<string, GuestDevice> Open)
{
    public static readonly Access Group = new(string.Empty, uuid => uuid, GuestDevice.Open);

    public static readonly Access Cdev = new("cdev.", GuestDevice.CdevOf, GuestDevice.OpenCdev);
}

/// <summary>
/// The checks of the real-kernel harness, run inside the guest against the stock
/// mbochs and mdpy drivers. Each names what it saw when it fails. With <paramref name="cdev"/>
/// (a kernel with iommufd and the VFIO device cdev) the device checks run a second time with
/// the mdevs opened through their cdevs; the sim's checks (KernelChecks.Sim.cs) run on every kernel.
/// </summary>
internal sealed partial class KernelChecks(Report report, string results, string mbochs, string mdpy, bool udmabuf, bool cdev, string mesa25Env)
{
    // dotnet in the TCG guest takes seconds to start; these bound one vgpuview run.
    private static readonly TimeSpan s_run = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_event = TimeSpan.FromSeconds(60);

    // drm_fourcc.h: DRM_FORMAT_XRGB8888 = fourcc_code('X', 'R', '2', '4')
    private const uint DrmFormatXrgb8888 = 0x34325258;

    public void RunAll()
    {
        report.Run("list", CheckList);
        DeviceChecks(Access.Group);
        SimChecks();
        if (cdev)
        {
            report.Run("cdev.list", CheckCdevList);
            DeviceChecks(Access.Cdev);
            CdevPathChecks();

            // The removal once, as vgpuview sees it through the cdev (it polls another sysfs entry).
            string node = GuestDevice.CdevOf(mbochs);
            report.Run("cdev.mbochs.remove-during-watch", () => CheckRemoveDuringWatch(node));
            return;
        }

        report.Run("mbochs.remove-during-watch", () => CheckRemoveDuringWatch(mbochs));
    }

    private void DeviceChecks(Access access)
    {
        report.Run(access.Prefix + "info.mbochs", () => CheckInfo(access, mbochs, dmabuf: true, region: false, edidRegion: 9));
        report.Run(access.Prefix + "info.mdpy", () => CheckInfo(access, mdpy, dmabuf: false, region: true, edidRegion: null));
        MdpyCapture(access);
        try
        {
            MbochsSequence(access);
        }
        catch (Exception e)
        {
            // A guest-driver step (DISPI registers, BAR0) failed outside a check.
            report.Fail(access.Prefix + "mbochs.guest-driver", $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void CheckList()
    {
        (int code, string stdout, string stderr) = ViewerProcess.Run(["list", "--json"], s_run);
        Expect(code == 0, $"list --json exited {code}: {ViewerProcess.Tail(stderr)}");
        using JsonDocument doc = Json.Parse(stdout, "list --json");
        JsonElement root = doc.RootElement;

        foreach (string parent in new[] { "mbochs", "mdpy" })
        {
            JsonElement? p = Json.Array(root, "parents", "list").Cast<JsonElement?>().FirstOrDefault(e => Json.Str(e!.Value, "name") == parent);
            Expect(p is not null, $"list shows no parent '{parent}'");
            string typesDir = $"/sys/class/mdev_bus/{parent}/mdev_supported_types";
            foreach (string typeDir in Directory.GetDirectories(typesDir))
            {
                string id = Path.GetFileName(typeDir);
                long available = long.Parse(File.ReadAllText(Path.Combine(typeDir, "available_instances")).Trim());
                JsonElement? t = Json.Array(p!.Value, "types", $"list parent {parent}").Cast<JsonElement?>().FirstOrDefault(e => Json.Str(e!.Value, "id") == id);
                Expect(t is not null, $"list shows no type '{id}' under {parent}");
                long? shown = Json.Long(t!.Value, "available_instances");
                Expect(shown == available, $"type {id}: available_instances {shown?.ToString() ?? "missing"}, sysfs says {available}");
            }
        }

        foreach ((string uuid, string parent, string type) in new[] { (mbochs, "mbochs", "mbochs-medium"), (mdpy, "mdpy", "mdpy-vga") })
        {
            JsonElement? m = Json.Array(root, "mdevs", "list").Cast<JsonElement?>().FirstOrDefault(e => string.Equals(Json.Str(e!.Value, "uuid"), uuid, StringComparison.OrdinalIgnoreCase));
            Expect(m is not null, $"list shows no mdev {uuid}");
            Expect(Json.Str(m!.Value, "type") == type, $"mdev {uuid}: type '{Json.Str(m.Value, "type")}', expected '{type}'");
            Expect(Json.Str(m.Value, "parent") == parent, $"mdev {uuid}: parent '{Json.Str(m.Value, "parent")}', expected '{parent}'");
            string group = GuestDevice.IommuGroupOf(uuid);
            Expect(Json.Str(m.Value, "iommu_group") == group, $"mdev {uuid}: iommu_group '{Json.Str(m.Value, "iommu_group")}', sysfs says {group}");
            string driver = Path.GetFileName(new FileInfo($"/sys/bus/mdev/devices/{uuid}/driver").LinkTarget ?? "");
            Expect(Json.Str(m.Value, "driver") == driver, $"mdev {uuid}: driver '{Json.Str(m.Value, "driver")}', sysfs says '{driver}'");
        }
    }

    private void CheckInfo(Access access, string uuid, bool dmabuf, bool region, uint? edidRegion)
    {
        // What the kernel says, read before vgpuview opens the device (a group opens once).
        uint numRegions;
        long[]? edidHeader = null;
        (int Width, int Height) mdpyMode = (0, 0);
        var kernel = new List<GuestRegion>();
        using (GuestDevice device = access.Open(uuid))
        {
            numRegions = device.GetInfo().NumRegions;
            if (region)
            {
                (_, int w, int h) = Mdpy.ReadMode(device);
                mdpyMode = (w, h);
            }

            for (uint i = 0; i < numRegions; i++)
            {
                if (device.GetRegion(i) is GuestRegion r)
                {
                    kernel.Add(r);
                }
            }

            // The EDID header as the kernel answers a read of it, word by word.
            if (edidRegion is uint index && kernel.Find(r => r.Index == index) is GuestRegion er)
            {
                byte[] header = new byte[24];
                for (int w = 0; w < 6; w++)
                {
                    device.Read(header.AsSpan(w * 4, 4), (long)er.Offset + (w * 4));
                }

                edidHeader = [.. Enumerable.Range(0, 6).Select(w => (long)BitConverter.ToUInt32(header, w * 4))];
            }
        }

        if (edidRegion is uint edid)
        {
            GuestRegion? e = kernel.Find(r => r.Index == edid);
            Expect(e?.CapType == 1 && e?.CapSubtype == 1, $"the kernel's region {edid} has no GFX/EDID type capability here ({e})");
        }

        string spec = access.Spec(uuid);
        (int code, string stdout, string stderr) = ViewerProcess.Run(["info", spec, "--json"], s_run);
        Expect(code == 0, $"info {spec} --json exited {code}: {ViewerProcess.Tail(stderr)}");
        using JsonDocument doc = Json.Parse(stdout, "info --json");
        JsonElement root = doc.RootElement;
        JsonElement probe = Json.Get(root, "probe", "info");
        Expect(Json.Bool(probe, "dmabuf") == dmabuf, $"probe.dmabuf is {Json.Bool(probe, "dmabuf")}, expected {dmabuf}");
        Expect(Json.Bool(probe, "region") == region, $"probe.region is {Json.Bool(probe, "region")}, expected {region}");
        Expect(Json.Long(root, "num_regions") == numRegions, $"num_regions is {Json.Long(root, "num_regions")}, the kernel says {numRegions}");

        var shown = Json.Array(root, "regions", "info").ToDictionary(e => Json.Long(e, "index") ?? -1);
        foreach (GuestRegion r in kernel.Where(r => r.Size > 0))
        {
            Expect(shown.TryGetValue(r.Index, out JsonElement s), $"region {r.Index} (size {r.Size}) missing from info");
            Expect(Json.Long(s, "size") == (long)r.Size, $"region {r.Index}: size {Json.Long(s, "size")}, kernel {r.Size}");
            Expect(Json.Long(s, "offset") == (long)r.Offset, $"region {r.Index}: offset {Json.Long(s, "offset")}, kernel {r.Offset}");
            var flags = new SortedSet<string>(StringComparer.Ordinal);
            if (s.TryGetProperty("flags", out JsonElement f) && f.ValueKind == JsonValueKind.Array)
            {
                flags.UnionWith(f.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x is "read" or "write" or "mmap"));
            }

            var expected = new SortedSet<string>(StringComparer.Ordinal);
            if ((r.Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_READ) != 0)
            {
                expected.Add("read");
            }

            if ((r.Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_WRITE) != 0)
            {
                expected.Add("write");
            }

            if ((r.Flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_MMAP) != 0)
            {
                expected.Add("mmap");
            }

            Expect(flags.SetEquals(expected), $"region {r.Index}: flags [{string.Join(',', flags)}], kernel [{string.Join(',', expected)}]");
            JsonElement cap = s.TryGetProperty("cap_type", out JsonElement c) ? c : default;
            if (r.CapType is uint type)
            {
                Expect(cap.ValueKind == JsonValueKind.Object && Json.Long(cap, "type") == type && Json.Long(cap, "subtype") == r.CapSubtype,
                    $"region {r.Index}: cap_type {(cap.ValueKind == JsonValueKind.Undefined ? "missing" : cap.GetRawText())}, kernel type {type} subtype {r.CapSubtype}");
            }
            else
            {
                Expect(cap.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined, $"region {r.Index}: cap_type {cap.GetRawText()}, the kernel gives none");
            }
        }

        foreach ((long index, JsonElement s) in shown)
        {
            Expect(kernel.Exists(r => r.Index == index && r.Size > 0) || Json.Long(s, "size") is 0 or null || index >= numRegions,
                $"info shows region {index} with size {Json.Long(s, "size")}, which the kernel does not report");
        }

        // info reads the EDID region itself: its header fields must be what the kernel answered.
        JsonElement edidJson = root.TryGetProperty("edid", out JsonElement ej) ? ej : default;
        if (edidHeader is not null)
        {
            Expect(edidJson.ValueKind == JsonValueKind.Object, $"info shows no edid object for region {edidRegion}: {(edidJson.ValueKind == JsonValueKind.Undefined ? "missing" : edidJson.GetRawText())}");
            Expect(Json.Long(edidJson, "region") == edidRegion, $"edid.region is {Json.Long(edidJson, "region")}, expected {edidRegion}");
            string[] fields = ["edid_offset", "edid_max_size", "edid_size", "max_xres", "max_yres", "link_state_value"];
            for (int w = 0; w < fields.Length; w++)
            {
                Expect(Json.Long(edidJson, fields[w]) == edidHeader[w], $"edid.{fields[w]} is {Json.Long(edidJson, fields[w])}, the kernel's header says {edidHeader[w]}");
            }

            Expect(edidJson.TryGetProperty("problem", out JsonElement p) && p.ValueKind == JsonValueKind.Null, $"info finds a problem in the kernel's EDID header: {edidJson.GetRawText()}");
            Info($"{uuid} EDID: {edidJson.GetRawText().ReplaceLineEndings(" ")}");
        }
        else
        {
            Expect(edidJson.ValueKind == JsonValueKind.Null, $"info shows an edid object, but the kernel has no EDID region: {edidJson.GetRawText()}");
        }

        JsonElement planes = Json.Get(root, "planes", "info");
        Expect(Json.Bool(Json.Get(planes, "primary", "info planes"), "enabled") is not null, "planes.primary.enabled missing");
        Expect(Json.Bool(Json.Get(planes, "cursor", "info planes"), "enabled") is not null, "planes.cursor.enabled missing");
        if (region)
        {
            // mdpy: its fixed mode, as its PCI vendor capability gives it (read by the guest
            // driver before vgpuview started), in region 16; and its answer to the cursor
            // query repeats the primary plane, which is not a cursor (mdpy.c).
            JsonElement primary = Json.Get(planes, "primary", "info planes");
            Expect(Json.Bool(primary, "enabled") == true, $"mdpy always shows its plane, but planes.primary is {primary.GetRawText()}");
            Expect(Json.Str(primary, "format") == "XR24" && Json.Long(primary, "width") == mdpyMode.Width && Json.Long(primary, "height") == mdpyMode.Height
                && Json.Long(primary, "stride") == mdpyMode.Width * 4 && Json.Long(primary, "region_index") == 16,
                $"planes.primary is {primary.GetRawText()}, expected XR24 {mdpyMode.Width}x{mdpyMode.Height} stride {mdpyMode.Width * 4} in region 16");
            Expect(Json.Bool(Json.Get(planes, "cursor", "info planes"), "enabled") == false, $"mdpy's cursor answer repeats the primary plane and is not a cursor, but planes.cursor is {Json.Get(planes, "cursor", "info planes").GetRawText()}");
        }
    }

    private void MdpyCapture(Access access)
    {
        int width = 0, height = 0;
        string p = access.Prefix;
        string spec = access.Spec(mdpy);
        string png = Path.Combine(results, p + "mdpy.png");
        bool captured = report.Run(p + "mdpy.capture-exact", () =>
        {
            using (GuestDevice device = access.Open(mdpy))
            {
                (uint format, _, _) = Mdpy.ReadMode(device);
                Expect(format == DrmFormatXrgb8888, $"mdpy's config space says format 0x{format:x8}, expected XRGB8888");
                (width, height) = Mdpy.Draw(device);
            }

            // The mode, for the replay check on the host, which computes the pattern itself.
            File.WriteAllText(Path.Combine(results, p + "mdpy.expected"), $"{width} {height}\n");
            (int code, _, string stderr) = ViewerProcess.Run(["capture", spec, "-o", png, "--raw"], s_run);
            Expect(code == 0, $"capture {spec} --raw exited {code}: {ViewerProcess.Tail(stderr)}");
            Expect(File.Exists(png), $"capture exited 0 but wrote no {png}");
            string? diff = Pattern.Compare(PngImage.Load(png), width, height);
            Expect(diff is null, $"captured mdpy PNG differs from the pattern the guest wrote: {diff}");
        });

        // The GL renderer on the real region plane: mdpy offers no dma-buf, so the plane goes up
        // by upload from its region mapping, and the read-back must equal the pattern too.
        report.Run(p + "mdpy.capture-gpu-exact", () =>
        {
            Expect(captured, "the capture above failed");
            string gpuPng = Path.Combine(results, p + "mdpy-gpu.png");
            (int code, _, string stderr) = ViewerProcess.Run(["capture", spec, "--gpu", "-o", gpuPng], s_run);
            Expect(code == 0, $"capture {spec} --gpu exited {code}: {ViewerProcess.Tail(stderr)}");
            string? diff = Pattern.Compare(PngImage.Load(gpuPng), width, height);
            Expect(diff is null, $"GPU capture of mdpy differs from the pattern the guest wrote: {diff}");
        });

        // expect on the real region plane: the picture just captured is on the screen now;
        // placed one pixel off, it is not, and the time runs out with exit 3.
        report.Run(p + "mdpy.expect-captured-picture", () =>
        {
            Expect(captured, "the capture above failed");
            (int code, string stdout, string stderr) = ViewerProcess.Run(["expect", spec, png, "--timeout", "20"], s_run);
            Expect(code == 0 && stdout.Contains("appeared on", StringComparison.Ordinal), $"expect {spec} with its own capture exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
            (code, stdout, stderr) = ViewerProcess.Run(["expect", spec, png, "--at", "1,0", "--timeout", "0.5"], s_run);
            Expect(code == 3 && stderr.Contains("did not appear", StringComparison.Ordinal), $"expect with the needle moved off the screen exited {code}, expected 3: {ViewerProcess.Tail(stdout + stderr)}");
        });

        report.Run(p + "mdpy.capture-raw-files", () =>
        {
            Expect(captured, "the capture above failed");
            Expect(File.Exists(Path.Combine(results, p + "mdpy.raw")), "capture --raw wrote no mdpy.raw next to mdpy.png");
            Expect(File.Exists(Path.Combine(results, p + "mdpy.json")), "capture --raw wrote no mdpy.json next to mdpy.png");
            long rawLength = new FileInfo(Path.Combine(results, p + "mdpy.raw")).Length;
            Expect(rawLength >= (long)width * height * 4, $"mdpy.raw holds {rawLength} bytes, less than {width}x{height}x4");
        });
    }

    private void MbochsSequence(Access access)
    {
        string p = access.Prefix;
        GuestDevice device;
        try
        {
            device = access.Open(mbochs);
        }
        catch (Exception e)
        {
            report.Run(p + "mbochs.open", () => throw new CheckFailedException($"the guest driver cannot open {mbochs}: {e.Message}"));
            return;
        }

        using (device)
        {
            report.Run(p + "mbochs.guest-driver-self-test", () => GuestSelfTest(device));
            Bochs.Off(device);
            report.Run(p + "mbochs.off-info", () =>
            {
                (int code, string stdout, string stderr) = ViewerProcess.Run(["info", "fd:{fd}", "--json"], s_run, device);
                Expect(code == 0, $"info fd:N --json exited {code}: {ViewerProcess.Tail(stderr)}");
                using JsonDocument doc = Json.Parse(stdout, "info fd:N --json");
                JsonElement planes = Json.Get(doc.RootElement, "planes", "info");
                Expect(Json.Bool(Json.Get(planes, "primary", "planes"), "enabled") == false, $"display off, but planes.primary is {Json.Get(planes, "primary", "planes").GetRawText()}");
                Expect(Json.Bool(Json.Get(planes, "cursor", "planes"), "enabled") == false, $"mbochs has no cursor, but planes.cursor is {Json.Get(planes, "cursor", "planes").GetRawText()}");
            });

            report.Run(p + "mbochs.off-watch", () =>
            {
                (int code, string stdout, string stderr) = ViewerProcess.Run(["watch", "fd:{fd}", "--json", "--frames", "20", "--interval", "10"], s_run, device);
                Expect(code == 0, $"watch --frames 20 exited {code}: {ViewerProcess.Tail(stderr)}");
                foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    WatchEvent e = WatchEvent.Parse(line);
                    Expect(e.Event == "disabled", $"display off, yet watch reported: {line}");
                }
            });

            Bochs.SetMode(device, 1024, 768);
            Bochs.Draw(device, 1024, 768);
            using (ViewerProcess watch = ViewerProcess.Start(["watch", "fd:{fd}", "--json", "--frames", "100000000", "--interval", "2"], device))
            {
                WatchSequence(p, device, watch);
            }

            // A mode no process has fetched yet: stock mbochs drops its page references when a
            // dma-buf is released (mbochs_release_dmabuf) but does not take them again when the
            // same id is exported a second time (mbochs_get_gfx_dmabuf), so fetching the id the
            // watch above held and closed would underflow the page counts and corrupt the guest
            // kernel's memory when the device closes (seen: "Bad page state", slab warnings).
            Bochs.SetMode(device, 1280, 720);
            Bochs.Draw(device, 1280, 720);
            report.Run(p + "mbochs.capture-cpu-refused", () =>
            {
                string png = Path.Combine(results, p + "mbochs.png");
                (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "fd:{fd}", "-o", png], s_run, device);
                string said = stdout + stderr;
                Expect(code == 1, $"capture of mbochs' read-only dma-buf exited {code}, expected 1: {ViewerProcess.Tail(said)}");
                Expect(said.Contains("cannot be mapped by the CPU", StringComparison.Ordinal), $"the message does not say the dma-buf cannot be mapped by the CPU: {ViewerProcess.Tail(said)}");
                Expect(!File.Exists(png), $"a failed capture left {png} behind");
            });

            // Again a mode of its own, for the reason above.
            Bochs.SetMode(device, 1152, 864);
            Bochs.Draw(device, 1152, 864);
            report.Run(p + "mbochs.capture-gpu-explains", () =>
            {
                string png = Path.Combine(results, p + "mbochs-gpu.png");
                (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "fd:{fd}", "--gpu", "-o", png], s_run, device);
                string said = (stdout + stderr).Trim();
                Info($"capture --gpu on mbochs: exit {code}: {ViewerProcess.Tail(said)}");
                Expect(code is 0 or 1, $"capture --gpu exited {code} (0 or 1 expected): {ViewerProcess.Tail(said)}");
                if (code == 0)
                {
                    Expect(File.Exists(png), $"capture --gpu exited 0 but wrote no {png}");
                }
                else
                {
                    // What it tried is the GL side: EGL, the dma-buf import, or an upload. Advice to
                    // "use --gpu" from the CPU path does not count: it was given --gpu.
                    Expect(said.Contains("EGL", StringComparison.Ordinal) || said.Contains("import", StringComparison.OrdinalIgnoreCase) || said.Contains("upload", StringComparison.OrdinalIgnoreCase),
                        $"capture --gpu failed without saying what it tried on the GL side (EGL, import, upload): {ViewerProcess.Tail(said)}");
                    Expect(!said.Contains("use --gpu", StringComparison.Ordinal), $"capture --gpu answers with the CPU path's advice to use --gpu: {ViewerProcess.Tail(said)}");
                }
            });

            // Mesa 25 offers dma-buf import without a render node, but llvmpipe reads an imported
            // buffer through a CPU mapping, which mbochs' read-only dma-buf refuses (EINVAL): the
            // capture must fail, say that it tried the import and why it cannot work, and leave
            // no file. (The import itself is proven on real udmabufs by sim.capture-gpu-import.)
            Bochs.SetMode(device, 1600, 900);
            Bochs.Draw(device, 1600, 900);
            report.Run(p + "mbochs.capture-gpu-import-mesa25", () =>
            {
                string png = Path.Combine(results, p + "mbochs-import.png");
                (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "fd:{fd}", "--gpu", "-o", png], s_run, device, Mesa25Environment());
                string said = (stdout + stderr).Trim();
                Info($"capture --gpu on mbochs with Mesa 25: exit {code}: {ViewerProcess.Tail(said)}");
                Expect(code == 1, $"capture --gpu of mbochs' unmappable dma-buf on llvmpipe exited {code}, expected 1: {ViewerProcess.Tail(said)}");
                Expect(said.Contains("tried dma-buf import", StringComparison.Ordinal) && said.Contains("mmap of this one failed", StringComparison.Ordinal),
                    $"the message does not say that the import was tried and that the dma-buf cannot be mapped: {ViewerProcess.Tail(said)}");
                Expect(!File.Exists(png), $"a failed capture left {png} behind");
            });

            // The monitor the guest is shown: mbochs hands its EDID blob to the guest at BAR2
            // offset 0 while the link is up (handle_mmio_read), zeros otherwise. No dma-buf is
            // fetched here, so the device's mode does not matter.
            report.Run(p + "mbochs.edid-mode-seen-by-guest", () =>
            {
                byte[] seen = GuestEdid(device);
                Expect(seen.All(b => b == 0), $"before any EDID was written the guest reads {Convert.ToHexString(seen[..16])}..., not zeros");

                (int code, string stdout, string stderr) = ViewerProcess.Run(["edid", "fd:{fd}", "--mode", "1280x720"], s_run, device);
                Expect(code == 0, $"edid --mode 1280x720 exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
                Expect(stdout.Contains("link up", StringComparison.Ordinal) && stdout.Contains("preferred 1280x720", StringComparison.Ordinal),
                    $"edid --mode 1280x720 does not show the link up with the new mode: {ViewerProcess.Tail(stdout)}");

                // Read as a guest driver would: the header, the checksum, the first detailed timing.
                seen = GuestEdid(device);
                Expect(Convert.ToHexString(seen[..8]) == "00FFFFFFFFFFFF00", $"the guest's EDID starts {Convert.ToHexString(seen[..8])}");
                Expect(seen.Sum(b => b) % 256 == 0, "the guest's EDID block does not sum to 0 mod 256");
                int width = seen[56] | ((seen[58] >> 4) << 8), height = seen[59] | ((seen[61] >> 4) << 8);
                Expect((width, height) == (1280, 720), $"the guest's EDID prefers {width}x{height}, not 1280x720");
                Info($"guest EDID after edid --mode 1280x720: {Convert.ToHexString(seen[..20])}... preferred {width}x{height}");

                (code, stdout, stderr) = ViewerProcess.Run(["edid", "fd:{fd}", "--link", "down"], s_run, device);
                Expect(code == 0 && stdout.Contains("link down", StringComparison.Ordinal), $"edid --link down exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
                seen = GuestEdid(device);
                Expect(seen.All(b => b == 0), $"with the link down the guest still reads an EDID: {Convert.ToHexString(seen[..16])}...");
            });
        }
    }

    // The 128 bytes a guest driver reads as its monitor's EDID: BAR2 offset 0, word by word.
    private static byte[] GuestEdid(GuestDevice device)
    {
        byte[] edid = new byte[128];
        long bar2 = (long)device.Region(2).Offset;
        for (int at = 0; at < edid.Length; at += 4)
        {
            device.Read(edid.AsSpan(at, 4), bar2 + at);
        }

        return edid;
    }

    /// <summary>
    /// The guest side alone, so that a failure of the checks after it is not the harness's:
    /// a 640x480 mode (not used later, so the ENOMEM of the first query after 1024x768 is left
    /// for vgpuview) reads back from the DISPI registers and shows as the primary plane.
    /// </summary>
    private static void GuestSelfTest(GuestDevice device)
    {
        Bochs.SetMode(device, 640, 480);
        Expect(Bochs.ReadRegister(device, 1) == 640 && Bochs.ReadRegister(device, 2) == 480 && Bochs.ReadRegister(device, 3) == 32,
            $"DISPI XRES/YRES/BPP read back {Bochs.ReadRegister(device, 1)}/{Bochs.ReadRegister(device, 2)}/{Bochs.ReadRegister(device, 3)}");
        var errnos = new List<string>();
        var plane = default(Interop.Vfio.vfio_device_gfx_plane_info);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            plane = new Interop.Vfio.vfio_device_gfx_plane_info
            {
                argsz = 64,
                flags = Interop.Vfio.VFIO_GFX_PLANE_TYPE_DMABUF,
                drm_plane_type = Interop.Vfio.DRM_PLANE_TYPE_PRIMARY,
            };
            int errno = device.QueryPlane(ref plane);
            errnos.Add(errno == 0 ? "ok" : VfioPlanes.Errno.Name(errno));
            if (errno == 0)
            {
                break;
            }
        }

        Info($"mbochs plane queries after setting 640x480: {string.Join(", ", errnos)}");
        Expect(errnos[^1] == "ok", $"the primary plane query kept failing: {string.Join(", ", errnos)}");
        Expect(plane.width == 640 && plane.height == 480 && plane.stride == 2560 && plane.drm_format == DrmFormatXrgb8888 && plane.dmabuf_id > 0,
            $"the primary plane is {plane.width}x{plane.height} stride {plane.stride} format 0x{plane.drm_format:x8} id {plane.dmabuf_id}, expected 640x480 stride 2560 XRGB8888");
    }

    private void WatchSequence(string p, GuestDevice device, ViewerProcess watch)
    {
        WatchEvent? first = null, second = null, third = null;
        report.Run(p + "mbochs.watch-enabled", () =>
        {
            // The first query after a mode change fails ENOMEM in mbochs; watch must absorb it.
            first = WaitPrimary(watch, e => e.Width == 1024 && e.Height == 768, "1024x768");
            Expect(first.Event == "enabled", $"first 1024x768 event is '{first.Event}', expected 'enabled': {first.Line}");
            Expect(first.Format == "XR24", $"format '{first.Format}', expected XR24: {first.Line}");
            Expect(first.Stride == 4096, $"stride {first.Stride}, expected 4096: {first.Line}");
            Expect(first.DmabufId is > 0, $"no dmabuf_id: {first.Line}");
        });
        Info($"watch pid {watch.Pid}: {SafeOpenFds(watch)} open fds (runtime plumbing left out) after the first frame");

        report.Run(p + "mbochs.mode-change-new-id", () =>
        {
            Expect(first is not null, "no first frame");
            Bochs.SetMode(device, 800, 600);
            second = WaitPrimary(watch, e => e.Width == 800 && e.Height == 600, "800x600");
            Expect(second.Event is "changed" or "enabled", $"800x600 event is '{second.Event}': {second.Line}");
            Expect(second.DmabufId is > 0 && second.DmabufId != first!.DmabufId, $"800x600 has dmabuf_id {second.DmabufId}, 1024x768 had {first!.DmabufId}; a new mode must give a new id");
        });

        report.Run(p + "mbochs.switch-back-cache-hit", () =>
        {
            Expect(second is not null, "no 800x600 frame");
            Bochs.SetMode(device, 1024, 768);
            third = WaitPrimary(watch, e => e.Width == 1024 && e.Height == 768, "1024x768 again");
            Expect(third.DmabufId == first!.DmabufId, $"back at 1024x768 the id is {third.DmabufId}, first time it was {first!.DmabufId}");
            Expect(third.Misses == second!.Misses && third.Misses >= 0, $"switching back cost a cache miss (misses {second!.Misses} -> {third.Misses}): {third.Line}");
            Expect(third.Hits > second.Hits, $"switching back shows no cache hit (hits {second.Hits} -> {third.Hits}): {third.Line}");
        });

        report.Run(p + "mbochs.no-fd-leak-1000-frames", () =>
        {
            Expect(third is not null, "no frame after switching back");
            FdSnapshot before = watch.OpenFds();
            WatchEvent start = third!;
            WatchEvent last = start;
            var started = DateTime.UtcNow;
            // watch prints only changes; flipping between the two cached modes gives a frame
            // number without adding a dma-buf, until 1,000 frames have passed.
            for (int flip = 0; last.Frame - start.Frame < 1000 && flip < 12; flip++)
            {
                double framesPerSecond = (last.Frame - start.Frame + 1) / Math.Max(0.5, (DateTime.UtcNow - started).TotalSeconds);
                double wait = flip == 0 ? 2.0 : Math.Clamp((1000 - (last.Frame - start.Frame)) / framesPerSecond, 0.2, 20);
                Thread.Sleep(TimeSpan.FromSeconds(wait));
                (int w, int h) = flip % 2 == 0 ? (800, 600) : (1024, 768);
                Bochs.SetMode(device, w, h);
                last = WaitPrimary(watch, e => e.Width == w && e.Height == h && e.Frame > last.Frame, $"{w}x{h} (flip {flip})");
            }

            FdSnapshot after = watch.OpenFds();
            Info($"fd check: frames {start.Frame}..{last.Frame}, open fds {before.Count} -> {after.Count}, cache open_fds {start.OpenFds} -> {last.OpenFds}");
            Expect(last.Frame - start.Frame >= 1000, $"watch ran only {last.Frame - start.Frame} frames");
            Expect(after.Count == before.Count, $"open fds went from {before.Count} to {after.Count} over {last.Frame - start.Frame} frames: {after.Since(before)}");
            Expect(last.OpenFds == start.OpenFds, $"cache open_fds went from {start.OpenFds} to {last.OpenFds}");
        });

        report.Run(p + "mbochs.watch-survives", () =>
            Expect(watch.WaitForExit(TimeSpan.Zero) == int.MinValue, $"watch ended on its own: {ViewerProcess.Tail(watch.Stderr)}"));
    }

    private void CheckRemoveDuringWatch(string spec)
    {
        string dir = $"/sys/bus/mdev/devices/{mbochs}";
        using ViewerProcess watch = ViewerProcess.Start(["watch", spec, "--json", "--frames", "100000000", "--interval", "20"]);
        string? line = watch.ReadLine(s_event);
        Expect(line is not null, $"watch {spec} printed nothing: {ViewerProcess.Tail(watch.Stderr)}");
        string? removeError = null;
        var remover = new Thread(() =>
        {
            try
            {
                File.WriteAllText(Path.Combine(dir, "remove"), "1");
            }
            catch (Exception e)
            {
                removeError = e.Message;
            }
        })
        { IsBackground = true };
        remover.Start();
        Thread.Sleep(2000);
        Info($"2 s after the write to remove: writer {(remover.IsAlive ? "blocked" : "returned")}{(removeError is null ? "" : " with " + removeError)}, "
            + $"{dir} {(Directory.Exists(dir) ? "exists" : "gone")}, mdev_type link {(File.Exists(Path.Combine(dir, "mdev_type")) || Directory.Exists(Path.Combine(dir, "mdev_type")) ? "present" : "gone")}");

        int code = watch.WaitForExit(TimeSpan.FromSeconds(20));
        if (code == int.MinValue)
        {
            bool blocked = remover.IsAlive;
            watch.Kill();
            remover.Join(TimeSpan.FromSeconds(30));
            throw new CheckFailedException("watch was still running 22 s after the write to remove"
                + (blocked ? "; the write was blocked meanwhile: the kernel waits for the device fd to close (vfio_unregister_group_dev in drivers/vfio/vfio_main.c) and mbochs has no request callback, so its ioctls keep succeeding; /sys/bus/mdev/devices/<uuid> and its mdev_type link go at once (bus_remove_device, mdev_remove_sysfs_files), which a viewer can poll" : ""));
        }

        string said = watch.Stdout + watch.Stderr;
        Expect(code == 1, $"watch ended with exit code {code} after the remove, expected 1: {ViewerProcess.Tail(said)}");
        Expect(said.Contains("device gone", StringComparison.OrdinalIgnoreCase), $"watch's message does not say 'device gone': {ViewerProcess.Tail(said)}");
        Expect(remover.Join(TimeSpan.FromSeconds(30)), "the write to remove was still blocked 30 s after watch ended");
        Expect(removeError is null, $"the write to remove failed: {removeError}");
        Expect(!Directory.Exists(dir), $"{dir} still exists after remove");
    }

    private static WatchEvent WaitPrimary(ViewerProcess watch, Func<WatchEvent, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + s_event;
        while (DateTime.UtcNow < deadline)
        {
            string? line = watch.ReadLine(deadline - DateTime.UtcNow);
            if (line is null)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            WatchEvent e = WatchEvent.Parse(line);
            if (e.Plane == "primary" && e.Event != "disabled" && match(e))
            {
                return e;
            }
        }

        int code = watch.WaitForExit(TimeSpan.Zero);
        throw new CheckFailedException($"watch reported no primary {what} within {s_event.TotalSeconds:0} s"
            + (code == int.MinValue ? "" : $" (it exited {code})") + $"; stdout: {ViewerProcess.Tail(watch.Stdout, 400)}; stderr: {ViewerProcess.Tail(watch.Stderr, 400)}");
    }

    private static int SafeOpenFds(ViewerProcess watch)
    {
        try
        {
            return watch.OpenFds().Count;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>On the host, after the guest: the raw mdpy capture replayed by the simulated vGPU gives the pattern.</summary>
    public static void HostReplay(Report report, string results)
    {
        report.Run("mdpy.raw-replay-on-host", () =>
        {
            string expected = Path.Combine(results, "mdpy.expected");
            Expect(File.Exists(expected), "the guest wrote no mdpy.expected (its capture check failed earlier)");
            int[] mode = File.ReadAllText(expected).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            string json = Path.Combine(results, "mdpy.json");
            Expect(File.Exists(json), "the guest's capture --raw left no mdpy.json");
            string png = Path.Combine(results, "replay.png");
            (int code, _, string stderr) = ViewerProcess.Run(["capture", "sim:replay=" + json, "-o", png], s_run);
            Expect(code == 0, $"capture sim:replay={json} exited {code}: {ViewerProcess.Tail(stderr)}");
            string? diff = Pattern.Compare(PngImage.Load(png), mode[0], mode[1]);
            Expect(diff is null, $"the replayed mdpy capture differs from the pattern the guest wrote: {diff}");
        });
    }
}
