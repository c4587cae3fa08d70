using VgpuView.KernelGuest;

// The guest driver of the real-kernel harness. Commands:
//   checks --kernel NAME --vgpuview DLL --results DIR --mbochs UUID --mdpy UUID
//          --udmabuf yes|no --cdev yes|no --mesa25 ENVFILE           all guest checks (tests/kernel/guest-checks.sh)
//   host-replay --kernel NAME --vgpuview DLL --results DIR          the checks run on the host after the guest
//   refcount --kernel NAME --modules DIR --mbochs UUID               mbochs' dma-buf re-export, patched then stock module
//   mbochs-mode UUID W H | off UUID | draw UUID [W H]                 act as the guest, one step at a time
//   verify-png FILE W H                                               does FILE hold the guest pattern at WxH, exactly?
//   run-with-fd UUID -- ARGS...                                      vgpuview ARGS with "{fd}" replaced by an inherited device fd
// Exit: 0 all passed, 1 a check or step failed, 2 usage.
try
{
    return Run(args);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckFailedException)
{
    Console.Error.WriteLine($"guest: {e.Message}");
    return 1;
}

static int Run(string[] args)
{
    if (args.Length == 0)
    {
        return Usage();
    }

    switch (args[0])
    {
        case "checks":
        {
            Dictionary<string, string> o = Options(args[1..]);
            ViewerProcess.ViewerDll = o["--vgpuview"];
            var report = new Report(o["--kernel"]) { Only = o.GetValueOrDefault("--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries) };
            new KernelChecks(report, o["--results"], o["--mbochs"], o["--mdpy"], o["--udmabuf"] == "yes", o["--cdev"] == "yes", o["--mesa25"]).RunAll();
            return report.Failed == 0 ? 0 : 1;
        }

        case "host-replay":
        {
            Dictionary<string, string> o = Options(args[1..]);
            ViewerProcess.ViewerDll = o["--vgpuview"];
            var report = new Report(o["--kernel"]);
            KernelChecks.HostReplay(report, o["--results"]);
            KernelChecks.HostSimCompare(report, o["--results"]);
            return report.Failed == 0 ? 0 : 1;
        }

        case "refcount":
        {
            Dictionary<string, string> o = Options(args[1..]);
            var report = new Report(o["--kernel"]);
            RefcountSequence.Run(report, o["--modules"], o["--mbochs"]);
            return report.Failed == 0 ? 0 : 1;
        }

        case "mbochs-mode" when args.Length == 4:
        {
            using GuestDevice device = GuestDevice.Open(args[1]);
            Bochs.SetMode(device, int.Parse(args[2]), int.Parse(args[3]));
            return 0;
        }

        case "off" when args.Length == 2:
        {
            using GuestDevice device = GuestDevice.Open(args[1]);
            Bochs.Off(device);
            return 0;
        }

        case "draw" when args.Length is 2 or 4:
        {
            using GuestDevice device = GuestDevice.Open(args[1]);
            if (args.Length == 4)
            {
                Bochs.Draw(device, int.Parse(args[2]), int.Parse(args[3]));
            }
            else
            {
                Mdpy.Draw(device);
            }

            return 0;
        }

        case "verify-png" when args.Length == 4:
        {
            string? diff = Pattern.Compare(PngImage.Load(args[1]), int.Parse(args[2]), int.Parse(args[3]));
            Console.WriteLine(diff ?? "the PNG holds the pattern exactly");
            return diff is null ? 0 : 1;
        }

        case "run-with-fd" when args.Length >= 3 && args[2] == "--":
        {
            using GuestDevice device = GuestDevice.Open(args[1]);
            ViewerProcess.ViewerDll = Environment.GetEnvironmentVariable("KVGPUVIEW") ?? ViewerProcess.ViewerDll;
            (int code, string stdout, string stderr) = ViewerProcess.Run(args[3..], TimeSpan.FromMinutes(10), device);
            Console.Out.Write(stdout);
            Console.Error.Write(stderr);
            return code;
        }

        default:
            return Usage();
    }
}

static Dictionary<string, string> Options(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i]] = args[i + 1];
    }

    return options;
}

static int Usage()
{
    Console.Error.WriteLine("usage: guest checks --kernel NAME --vgpuview DLL --results DIR --mbochs UUID --mdpy UUID --udmabuf yes|no --cdev yes|no --mesa25 ENVFILE"
        + " | host-replay --kernel NAME --vgpuview DLL --results DIR | refcount --kernel NAME --modules DIR --mbochs UUID"
        + " | mbochs-mode UUID W H | off UUID | draw UUID [W H] | verify-png FILE W H | run-with-fd UUID -- ARGS (KVGPUVIEW names vgpuview.dll)");
    return 2;
}
