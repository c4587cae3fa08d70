using static VgpuView.KernelGuest.Report;

namespace VgpuView.KernelGuest;

/// <summary>
/// The simulated vGPU on a real kernel: where /dev/udmabuf exists the sim exports real
/// dma-bufs (drivers/dma-buf/udmabuf.c) made from its memfds, which no machine without the
/// module ever exercises. The checks prove which backing the dma-bufs have (from the kernel's
/// own /proc/PID/fdinfo, not from vgpuview), and capture through it on the CPU and by Mesa 25's
/// dma-buf import; the host compares those pictures with its own capture of the same frame
/// through memfds (<see cref="HostSimCompare"/>).
/// </summary>
internal sealed partial class KernelChecks
{
    private void SimChecks()
    {
        report.Run("sim.udmabuf-node", () =>
        {
            bool exists = File.Exists("/dev/udmabuf");
            Expect(exists == udmabuf, exists
                ? "/dev/udmabuf exists on a kernel the harness expects without it"
                : "this kernel is expected with CONFIG_UDMABUF=y, but the guest has no /dev/udmabuf");
        });

        report.Run("sim.dmabuf-backing", CheckSimBacking);

        report.Run("sim.capture-cpu", () =>
        {
            string png = Path.Combine(results, "sim-cpu.png");
            (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "sim", "-o", png], s_run);
            Expect(code == 0, $"capture sim exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
            Expect(File.Exists(png), $"capture sim exited 0 but wrote no {png}");
        });

        // Mesa 25 (unpacked on the host by tests/setup.d/30-mesa.sh, seen here through the 9p
        // root) imports dma-bufs on its surfaceless display; the system's Mesa 22 does not.
        report.Run("sim.capture-gpu-import", () =>
        {
            Dictionary<string, string> env = Mesa25Environment();
            string png = Path.Combine(results, "sim-gpu.png");
            (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "sim", "--gpu", "-o", png], s_run, environment: env);
            Expect(code == 0, $"capture sim --gpu with Mesa 25 exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
            Expect(stderr.Contains("primary plane XR24 1024x768: dma-buf import", StringComparison.Ordinal),
                $"capture sim --gpu did not import the primary plane: {ViewerProcess.Tail(stderr)}");
            Expect(File.Exists(png), $"capture sim --gpu exited 0 but wrote no {png}");
        });
    }

    /// <summary>
    /// A running watch of the sim holds its dma-bufs in its cache. The kernel names each
    /// dma-buf's exporter in /proc/PID/fdinfo ("exp_name:", drivers/dma-buf/dma-buf.c): with
    /// /dev/udmabuf there must be udmabuf ones; without it the sim hands out memfd duplicates,
    /// which are no dma-bufs at all.
    /// </summary>
    private void CheckSimBacking()
    {
        using ViewerProcess watch = ViewerProcess.Start(["watch", "sim", "--json", "--frames", "100000000", "--interval", "20"]);
        WatchEvent first = WaitPrimary(watch, e => e.Event == "enabled", "enabled");
        var exporters = new List<string>();
        int memfds = 0;
        string dir = $"/proc/{watch.Pid}/fd";
        foreach (string entry in Directory.GetFileSystemEntries(dir))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue;
            }

            if (target is null)
            {
                continue;
            }

            if (target.StartsWith("/memfd:", StringComparison.Ordinal))
            {
                memfds++;
            }

            if (target.StartsWith("/dmabuf:", StringComparison.Ordinal) || target.StartsWith("anon_inode:dmabuf", StringComparison.Ordinal))
            {
                string info = File.ReadAllText($"/proc/{watch.Pid}/fdinfo/{Path.GetFileName(entry)}");
                string? exporter = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("exp_name:", StringComparison.Ordinal));
                exporters.Add(exporter is null ? "(no exp_name)" : exporter["exp_name:".Length..].Trim());
            }
        }

        Info($"sim watch pid {watch.Pid} after frame {first.Frame}: dma-buf exporters [{string.Join(", ", exporters)}], {memfds} memfds");
        if (udmabuf)
        {
            Expect(exporters.Count > 0 && exporters.All(e => e == "udmabuf"),
                $"with /dev/udmabuf the sim's dma-bufs must be udmabufs; the kernel lists exporters [{string.Join(", ", exporters)}]");
        }
        else
        {
            Expect(exporters.Count == 0 && memfds > 0, $"without /dev/udmabuf the sim hands out memfds, but the process holds dma-bufs [{string.Join(", ", exporters)}] and {memfds} memfds");
        }
    }

    /// <summary>KEY=VALUE lines of .cache/mesa25/env (tests/setup.d/30-mesa.sh).</summary>
    private Dictionary<string, string> Mesa25Environment()
    {
        Expect(File.Exists(mesa25Env), $"{mesa25Env} is missing: tests/setup.d/30-mesa.sh unpacks Mesa 25 on the host");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(mesa25Env))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                env[line[..eq]] = line[(eq + 1)..];
            }
        }

        return env;
    }

    /// <summary>
    /// On the host: the guest's sim captures (through udmabufs on 6.12, by the CPU and by Mesa
    /// 25's import) must hold exactly the pixels the host captures of the same frame through
    /// memfds (this host has no /dev/udmabuf), so the pages udmabuf exports are the sim's.
    /// </summary>
    public static void HostSimCompare(Report report, string results)
    {
        string host = Path.Combine(results, "sim-host.png");
        bool captured = report.Run("sim.host-capture", () =>
        {
            (int code, string stdout, string stderr) = ViewerProcess.Run(["capture", "sim", "-o", host], s_run);
            Expect(code == 0, $"capture sim on the host exited {code}: {ViewerProcess.Tail(stdout + stderr)}");
        });

        foreach ((string name, string file) in new[] { ("sim.cpu-pixels-match-host", "sim-cpu.png"), ("sim.import-pixels-match-host", "sim-gpu.png") })
        {
            report.Run(name, () =>
            {
                Expect(captured, "the host's capture failed");
                string guest = Path.Combine(results, file);
                Expect(File.Exists(guest), $"the guest wrote no {file} (its capture check failed)");
                string? diff = PngImage.Difference(PngImage.Load(guest), PngImage.Load(host));
                Expect(diff is null, $"{file} from the guest differs from the host's capture of the same frame: {diff}");
            });
        }
    }
}
