using System.Net.Sockets;
using System.Text;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Fuzz;

/// <summary>
/// 2,000 replay files made from a valid one by seeded mutations: wrong types, sizes and
/// overflows, hostile strings (NUL, lone surrogates, control characters, long text), deep
/// nesting, broken bytes, and raw file paths of every kind (links, dangling links, loops, FIFOs
/// with no writer, device nodes, directories, a socket, sysfs and procfs files). Each is loaded as
/// `sim:replay=` loads it, and the device is opened when the file is accepted.
/// </summary>
public sealed class ReplayFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261205;
    private const int Count = 2000;

    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-fuzz-replay-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public void Dispose()
    {
        // Closing a bound socket removes its file, so it stays open for the test.
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private const string Primary = """{"plane":"primary","file":"a.raw","format":"XR24","width":4,"height":2,"stride":16}""";
    private const string Cursor = """{"plane":"cursor","file":"b.raw","format":"AR24","modifier":"0x0","width":8,"height":2,"stride":32,"x":-5,"y":-1,"hot_x":1,"hot_y":1}""";

    private static readonly string[] s_fields = ["plane", "file", "format", "modifier", "width", "height", "stride", "x", "y", "hot_x", "hot_y"];

    // JSON text of hostile values, each as it would appear in the file.
    private static readonly string[] s_values =
    [
        "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807", "18446744073709551616",
        "1e308", "-1e308", "1.5", "-0", "1E2", "16384", "16385", "65536", "null", "true", "false", "[]", "{}", "[1,2]",
        "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\u0000b\"", "\"\\n\"", "\"x\\ny\"", "\"\\u001b[31mred\"",
        "\"\\u202egnp.x\"", "\"XR24\"", "\"AR24\"", "\"YUYV\"", "\"C8\"", "\"0x0\"", "\"0x100000000000001\"", "\"0x100000000000002\"",
        "\"0xffffffffffffffff\"", "\"0x\"", "\"primary\"", "\"cursor\"", "\"é\"", "\"😀\"",
    ];

    private string[] _paths = [];

    [Fact]
    public void MutatedReplayFiles_EndInAcceptanceOrOneCleanError()
    {
        string work = MakeFiles();
        var random = new Random(Seed);
        var tally = new FuzzTally("replay JSON", output, _dir) { AllocationLimit = 96L << 20, TimeLimit = TimeSpan.FromSeconds(5) };
        string[] before = Listing(work);
        for (int i = 0; i < Count; i++)
        {
            (string json, bool fifo) = Mutate(random);
            string path = Path.Combine(work, "x.json");
            bool jsonIsFifo = random.Next(400) == 0;
            if (jsonIsFifo)
            {
                path = Path.Combine(work, "fifo.json");
            }
            else
            {
                File.WriteAllText(path, json, new UTF8Encoding(false));
            }

            // A FIFO no program writes to is waited on until cancelled: a short cancellation
            // stands in for the SIGTERM a user would send.
            using var cancel = new CancellationTokenSource();
            if (fifo || jsonIsFifo)
            {
                cancel.CancelAfter(100);
            }

            string shown = jsonIsFifo ? "x.json is a FIFO" : (json.Length > 300 ? json[..300] + "…" : json);
            tally.Try(shown, () =>
            {
                ReplayFile replay = ReplayFile.Load(path, cancel.Token);
                // Opening reads every buffer; a large one from /dev/zero is time, not a finding.
                if (replay.Buffers.Sum(b => (long)b.Size) <= 16 << 20)
                {
                    using var device = (SimulatedVgpu)SimulatedDevices.OpenCancellable("replay=" + path, cancel.Token);
                }
            }, e => e is InputException or OperationCanceledException);
        }

        Assert.Equal(before, Listing(work));
        tally.Report();
        Assert.True(tally.Accepted > 50, "too few mutations were valid: the generator no longer reaches the loader");
        Assert.True(tally.CleanErrors > 1000, "too few mutations were refused");
    }

    private static string[] Listing(string dir) => [.. Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal)];

    // Raw files and every kind of path a "file" value can name.
    private string MakeFiles()
    {
        string work = Path.Combine(_dir, "work");
        Directory.CreateDirectory(work);
        File.WriteAllBytes(Path.Combine(work, "a.raw"), new byte[32]);
        File.WriteAllBytes(Path.Combine(work, "b.raw"), new byte[64]);
        File.WriteAllBytes(Path.Combine(work, "big.raw"), new byte[1 << 20]);
        File.WriteAllBytes(Path.Combine(work, "short.raw"), new byte[10]);
        File.WriteAllBytes(Path.Combine(work, "empty.raw"), []);
        File.CreateSymbolicLink(Path.Combine(work, "link.raw"), "a.raw");
        File.CreateSymbolicLink(Path.Combine(work, "dangling.raw"), "nowhere.raw");
        File.CreateSymbolicLink(Path.Combine(work, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(work, "loop2"), "loop1");
        Directory.CreateDirectory(Path.Combine(work, "dir.raw"));
        Fifo.Make(Path.Combine(work, "fifo.raw"));
        Fifo.Make(Path.Combine(work, "fifo.json"));
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(work, "sock.raw")));
        File.WriteAllText(Path.Combine(work, "x.json"), "{}");

        _paths =
        [
            "a.raw", "b.raw", "big.raw", "short.raw", "empty.raw", "link.raw", "dangling.raw", "loop1", "dir.raw", "fifo.raw", "sock.raw",
            "/dev/zero", "/dev/null", "/dev/full", "/sys/kernel/mm/transparent_hugepage/enabled", "/proc/self/status", "/proc/self/mem",
            "/", ".", "..", "../..", "/nonexistent/a.raw", "a.raw/x", new string('n', 5000), "./a.raw", "work/../a.raw", Path.Combine(work, "a.raw"),
        ];
        return work;
    }

    private (string Json, bool Fifo) Mutate(Random random)
    {
        bool frames = random.Next(4) == 0;
        var planes = new List<Dictionary<string, string>>
        {
            Fields(Primary),
        };
        if (random.Next(2) == 0)
        {
            planes.Add(Fields(Cursor));
        }

        bool fifo = false;
        int edits = 1 + random.Next(3);
        for (int i = 0; i < edits; i++)
        {
            Dictionary<string, string> plane = planes[random.Next(planes.Count)];
            switch (random.Next(10))
            {
                case 0:
                case 1:
                case 2:
                    plane[Pick(random, s_fields)] = Pick(random, s_values);
                    break;
                case 3:
                case 4:
                    string path = Pick(random, _paths);
                    fifo |= path.StartsWith("fifo", StringComparison.Ordinal);
                    plane["file"] = Quote(path);
                    break;
                case 5:
                    plane.Remove(Pick(random, s_fields));
                    break;
                case 6:
                    plane[Pick(random, ["\\ud800", "\\u0000", "extra", "Width", "file\\n", new string('k', 300)])] = Pick(random, s_values);
                    break;
                case 7:
                    // Sizes at the edges: the largest planes, strides that overflow 32 bits.
                    plane["width"] = Pick(random, ["16384", "8192", "1", "3"]);
                    plane["height"] = Pick(random, ["16384", "8192", "1", "4096"]);
                    plane["stride"] = Pick(random, ["65536", "262144", "4", "2147483647", "16", "32768"]);
                    plane["file"] = Quote(Pick(random, ["/dev/zero", "big.raw", "a.raw"]));
                    break;
                case 8:
                    planes.Add(new Dictionary<string, string>(planes[0]));
                    break;
                default:
                    plane["format"] = Pick(random, ["\"XR24\"", "\"AR24\"", "\"RG16\"", "\"YUYV\"", "\"XR30\"", "\"C8\"", "\"NV12\"", "\"\\u0000\\u0000\\u0000\\u0000\""]);
                    plane["modifier"] = Pick(random, ["\"0x0\"", "\"0x100000000000001\"", "\"0x100000000000002\"", "\"0x100000000000003\""]);
                    break;
            }
        }

        string planeArray = "[" + string.Join(",", planes.Select(Object)) + "]";
        string json = frames
            ? "{\"frames\":[" + string.Join(",", Enumerable.Repeat(planeArray, 1 + random.Next(random.Next(8) == 0 ? 500 : 4))) + "]}"
            : "{\"planes\":" + planeArray + "}";
        return (Bytes(random, json), fifo);
    }

    // Byte-level damage on a few: truncation, a flipped character, deep nesting, a second root.
    private static string Bytes(Random random, string json) => random.Next(12) switch
    {
        0 => json[..random.Next(json.Length)],
        1 => FlipOne(random, json),
        2 => new string('[', 5000) + new string(']', 5000),
        3 => "{\"planes\":" + new string('[', 64) + Primary + new string(']', 64) + "}",
        4 => json + json,
        5 => "\uFEFF" + json,
        _ => json,
    };

    private static string FlipOne(Random random, string json)
    {
        char[] chars = json.ToCharArray();
        chars[random.Next(chars.Length)] = Pick(random, ['"', '{', '}', ',', ':', '\\', '\u0001', '\uFFFF', '\uD800', '9']);
        return new string(chars);
    }

    private static Dictionary<string, string> Fields(string plane)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(plane);
        foreach (System.Text.Json.JsonProperty p in doc.RootElement.EnumerateObject())
        {
            fields[p.Name] = p.Value.GetRawText();
        }

        return fields;
    }

    private static string Object(Dictionary<string, string> fields) => "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
