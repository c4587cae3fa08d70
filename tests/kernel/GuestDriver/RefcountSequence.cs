using System.Diagnostics;
using static VgpuView.KernelGuest.Report;

namespace VgpuView.KernelGuest;

/// <summary>
/// mbochs' dma-buf reference counting (tests/kernel/README.md), run in a boot of its own
/// (run.sh, KMODE=refcount): one dma-buf id fetched, closed and fetched again, then the device
/// closed; on the module patched with tests/kernel/mbochs-dmabuf-refs.patch first, then on the
/// stock one. Stock mbochs drops its page references in every release of the dma-buf
/// (mbochs_release_dmabuf) but takes them once, when the id is made (mbochs_dmabuf_alloc), so
/// the second release underflows them. What the kernel says about it is judged by run.sh from
/// the console between the "KSTEP refcount VARIANT" and "KSTEP refcount VARIANT done" lines.
/// </summary>
internal static class RefcountSequence
{
    private const string CreatePath = "/sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-medium/create";

    public static void Run(Report report, string modules, string uuid)
    {
        foreach ((string variant, string file) in new[] { ("patched", "mbochs-fixed.ko"), ("stock", "mbochs.ko") })
        {
            Console.WriteLine($"KSTEP refcount {variant}");
            if (!report.Run($"refcount.{variant}-loads", () =>
            {
                Command("insmod", Path.Combine(modules, file));
                File.WriteAllText(CreatePath, uuid);
            }))
            {
                return;
            }

            bool patched = variant == "patched";
            report.Run($"refcount.{variant}-sequence", () =>
            {
                using (GuestDevice device = GuestDevice.Open(uuid))
                {
                    uint id = PrimaryId(device, 800, 600);
                    FetchAndClose(device, id, "first fetch");
                    FetchAndClose(device, id, "second fetch of the same id");
                    if (patched)
                    {
                        // Two fds for one live buffer: each must hold a reference of its own.
                        (var a, int ea) = device.GetDmaBuf(id);
                        (var b, int eb) = device.GetDmaBuf(id);
                        Expect(a is not null && b is not null, $"fetching id {id} twice while live failed: errno {ea}, {eb}");
                        a!.Dispose();
                        b!.Dispose();
                    }
                }

                // The device closed (mbochs_close_device put its pages). A page freed too early
                // is reported only when the allocator hands it out again ("Bad page state" from
                // its checks of a new page): 6.12 reuses it at once, 6.1 only under demand, which
                // this makes.
                Churn();
                if (patched)
                {
                    using GuestDevice again = GuestDevice.Open(uuid);
                    FetchAndClose(again, PrimaryId(again, 640, 480), "fetch after reopening");
                }
            });

            File.WriteAllText($"/sys/bus/mdev/devices/{uuid}/remove", "1");
            if (patched)
            {
                Command("rmmod", "mbochs");
            }

            // Give the console the kernel's messages about the close before the marker.
            Thread.Sleep(2000);
            Console.WriteLine($"KSTEP refcount {variant} done");
        }
    }

    // Takes and touches most of the guest's free memory, then gives it back.
    private static void Churn()
    {
        var blocks = new List<byte[]>();
        for (int i = 0; i < 24; i++)
        {
            byte[] block = GC.AllocateUninitializedArray<byte>(32 << 20);
            for (int at = 0; at < block.Length; at += 4096)
            {
                block[at] = 1;
            }

            blocks.Add(block);
        }

        blocks.Clear();
        GC.Collect();
        Thread.Sleep(1000);
    }

    private static void FetchAndClose(GuestDevice device, uint id, string what)
    {
        (var fd, int errno) = device.GetDmaBuf(id);
        Expect(fd is not null, $"{what}: VFIO_DEVICE_GET_GFX_DMABUF for id {id} failed with errno {errno}");
        fd!.Dispose();
    }

    // The primary plane's dma-buf id at WxH; mbochs answers the first query after a mode change with ENOMEM.
    private static uint PrimaryId(GuestDevice device, int width, int height)
    {
        Bochs.SetMode(device, width, height);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var plane = new Interop.Vfio.vfio_device_gfx_plane_info
            {
                argsz = 64,
                flags = Interop.Vfio.VFIO_GFX_PLANE_TYPE_DMABUF,
                drm_plane_type = Interop.Vfio.DRM_PLANE_TYPE_PRIMARY,
            };
            if (device.QueryPlane(ref plane) == 0 && plane.dmabuf_id > 0)
            {
                return plane.dmabuf_id;
            }
        }

        throw new CheckFailedException($"no primary plane at {width}x{height} after three queries");
    }

    private static void Command(string program, string argument)
    {
        using Process p = Process.Start(new ProcessStartInfo(program, [argument]) { RedirectStandardError = true })
            ?? throw new CheckFailedException($"{program} did not start");
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Expect(p.ExitCode == 0, $"{program} {argument} exited {p.ExitCode}: {stderr.Trim()}");
    }
}
