using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Fuzz;

/// <summary>
/// 1,000 EDID blobs and 1,000 device specs made by seeded mutations. A blob is read as
/// `edid --blob` reads it (every tenth through a file), validated, and when valid presented to
/// the simulated vGPU and read back; a spec is parsed and opened as every command opens its
/// device, against an empty sysfs and /dev so that no real device is touched.
/// </summary>
public sealed class EdidAndSpecFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 1_000_003;
    private const int Count = 1000;

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-fuzz-edid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MutatedEdidBlobs_AreValidatedOrRefusedWithOneCleanReason()
    {
        var random = new Random(Seed);
        var tally = new FuzzTally("EDID blob", output, _dir) { AllocationLimit = 16L << 20, TimeLimit = TimeSpan.FromSeconds(5) };
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim"), new SysfsTree(_dir));
        string file = Path.Combine(_dir, "blob.bin");
        Assert.True(EdidBuilder.TryForMode(1920, 1080, 60, "fuzz", out byte[]? built, out _));
        for (int i = 0; i < Count; i++)
        {
            byte[] blob = Mutate(random, random.Next(2) == 0 ? EdidSamples.Dmt1024x768() : (byte[])built!.Clone(), out string how);
            bool throughFile = i % 10 == 0;
            if (throughFile)
            {
                File.WriteAllBytes(file, blob);
            }

            tally.Try(how, () =>
            {
                byte[] bytes = throughFile ? BoundedFile.ReadAll(file, EdidRegionState.MaxBlobBytes, "--blob", TestContext.Current.CancellationToken) : blob;
                if (!EdidBlock.TryValidate(bytes, out string? problem))
                {
                    throw new InputException($"--blob: {problem}");
                }

                EdidRegionState state = EdidWriter.Present(device, bytes, TimeSpan.Zero);
                Assert.True(state.HeaderRead);
            }, e => e is InputException or InvalidDataException); // Present refuses a blob larger than the region takes
        }

        tally.Report();
        Assert.True(tally.Accepted > 50 && tally.CleanErrors > 300, "the mutations no longer reach both outcomes");
    }

    [Fact]
    public void MutatedDeviceSpecs_OpenOrFailWithOneCleanError()
    {
        var random = new Random(Seed + 1);
        string sysfs = Directory.CreateDirectory(Path.Combine(_dir, "sys")).FullName;
        string dev = Directory.CreateDirectory(Path.Combine(_dir, "dev")).FullName;
        var tally = new FuzzTally("device spec", output, _dir) { AllocationLimit = 48L << 20, TimeLimit = TimeSpan.FromSeconds(5) };
        var tree = new SysfsTree(sysfs);
        for (int i = 0; i < Count; i++)
        {
            string spec = Spec(random);
            tally.Try(spec, () =>
            {
                DeviceSpec parsed = DeviceSpec.Parse(spec, tree);
                // An inherited fd would be this test host's own descriptor: parsing is the part to try.
                if (parsed.Kind != DeviceSpecKind.Fd)
                {
                    using VgpuDevice device = DeviceFactory.OpenCancellable(parsed, tree, dev, TestContext.Current.CancellationToken);
                }
            }, e => e is FormatException or SimOptionsException or InputException or IOException or UnauthorizedAccessException);
        }

        tally.Report();
        Assert.True(tally.Accepted > 50 && tally.CleanErrors > 300, "the mutations no longer reach both outcomes");
    }

    private static readonly string[] s_options =
    [
        "mbochs", "mdpy", "gvt", "1920x1080", "640x480", "64x48", "8192x8192", "8193x10", "0x0", "-1x-1", "99999999999x1", "1x", "x1",
        "format=XR24", "format=YUYV", "format=C8", "format=", "format=\u0000", "tiling=x", "tiling=y", "tiling=z", "cursor=off", "cursor=on",
        "cursor=maybe", "unplug=0", "unplug=300", "unplug=-1", "unplug=99999999999", "cpu-map=off", "cpu-map=1", "replay=", "replay=/dev/null",
        "replay=/nonexistent.json", "", " ", ",", "\n", "é", "\ud800", "😀", "=", "==", new string('m', 3000),
    ];

    private static string Spec(Random random) => random.Next(10) switch
    {
        0 => "fd:" + Pick(random, ["", "0", "-1", "3", "99999999999", "1a", "٣", " 3"]),
        1 => Pick(random, ["1b2c3d4e-0000-0000-0000-000000000000", "1B2C3D4E-0000-0000-0000-00000000000", "0000:00:02.0", "0000:00:02.8", "ffff:ff:1f.7",
            "/dev/vfio/devices/vfio0", "/dev/vfio/devices/vfio", "/sys/bus/mdev/devices/x", "/sys/../sys", "/sys", "/proc/self", "", " ", "\u0000"]),
        2 => "sim" + Pick(random, ["", ":", "::", " "]),
        3 => new string((char)random.Next(0x20, 0x7f), random.Next(0, 40)),
        _ => "sim:" + string.Join(Pick(random, [",", ",", ",", ";", ", "]), Enumerable.Range(0, 1 + random.Next(4)).Select(_ => Pick(random, s_options))),
    };

    private static byte[] Mutate(Random random, byte[] edid, out string how)
    {
        switch (random.Next(9))
        {
            case 0:
                how = "valid";
                return edid;
            case 1:
                int at = random.Next(edid.Length);
                edid[at] ^= (byte)(1 << random.Next(8));
                how = $"bit flipped at {at}";
                return edid;
            case 2:
                // A byte changed and the checksum fixed, so the change gets past it.
                int b = 8 + random.Next(118);
                edid[b] = (byte)random.Next(256);
                edid[127] = EdidSamples.Checksum(edid);
                how = $"byte {b} changed, checksum fixed";
                return edid;
            case 3:
                int n = random.Next(edid.Length + 1);
                how = $"cut to {n} bytes";
                return edid[..n];
            case 4:
                // Extensions declared and given in differing numbers.
                int declared = Pick(random, [0, 1, 2, 3, 30, 255]);
                int given = Pick(random, [0, 1, 2, 3, 30, 255]);
                edid[126] = (byte)declared;
                edid[127] = EdidSamples.Checksum(edid);
                how = $"{declared} extensions declared, {given} given";
                return [.. edid, .. new byte[given * 128]];
            case 5:
                int length = Pick(random, [0, 1, 127, 129, 255, 256, 32767, 32768]);
                how = $"{length} random bytes";
                byte[] bytes = new byte[length];
                random.NextBytes(bytes);
                return bytes;
            case 6:
                // A detailed timing with extreme values, checksum fixed.
                int t = 54 + (18 * random.Next(4));
                for (int i = 0; i < 18; i++)
                {
                    edid[t + i] = (byte)Pick(random, [0, 0xFF, 0x01, 0x80, 0xFC, 0x0A]);
                }

                edid[127] = EdidSamples.Checksum(edid);
                how = $"descriptor at {t} rewritten";
                return edid;
            case 7:
                how = "header damaged";
                edid[random.Next(8)] = (byte)random.Next(256);
                return edid;
            default:
                how = "trailing bytes";
                return [.. edid, .. new byte[1 + random.Next(200)]];
        }
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
