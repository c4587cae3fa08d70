using System.Text.Json;
using System.Text.RegularExpressions;
using VgpuView.Tests.Shared;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>
/// `watch` against the simulated vGPU. Expected frames come from the guest script's documented
/// cycle (GuestScript): base mode for cycle positions 0-99, disabled 100-119, 800x600 120-179,
/// base mode 180-239. Frame numbers in the output count from 1, cycle positions from 0.
/// </summary>
[Collection(ProcessFdCollection.Name)]
public class WatchTests
{
    private static readonly string[] s_fields =
        ["frame", "plane", "event", "format", "modifier", "width", "height", "stride", "size", "x", "y", "hot_x", "hot_y", "cache"];

    [Fact]
    public void Watch_SimJson_ReportsEveryPhaseOfTheCycle()
    {
        List<JsonElement> lines = WatchJson("sim", 240);

        JsonElement first = lines[0];
        Assert.Equal(1, first.GetProperty("frame").GetInt64());
        Assert.Equal("primary", first.GetProperty("plane").GetString());
        Assert.Equal("enabled", first.GetProperty("event").GetString());
        Assert.Equal("XR24", first.GetProperty("format").GetString());
        Assert.Equal("0x0", first.GetProperty("modifier").GetString());
        Assert.Equal(1024, first.GetProperty("width").GetInt32());
        Assert.Equal(768, first.GetProperty("height").GetInt32());
        Assert.Equal(4096, first.GetProperty("stride").GetInt32());
        Assert.True(first.TryGetProperty("dmabuf_id", out _));

        foreach (JsonElement line in lines)
        {
            foreach (string field in s_fields)
            {
                Assert.True(line.TryGetProperty(field, out _), $"line {line} lacks '{field}'");
            }
        }

        JsonElement disabled = Single(lines, "primary", "disabled");
        Assert.Equal(101, disabled.GetProperty("frame").GetInt64());
        Assert.Equal(JsonValueKind.Null, disabled.GetProperty("format").ValueKind);
        Assert.Equal(101, Single(lines, "cursor", "disabled").GetProperty("frame").GetInt64());

        JsonElement[] enabled = lines.Where(l => Is(l, "primary", "enabled")).ToArray();
        Assert.Equal([1L, 121L], enabled.Select(l => l.GetProperty("frame").GetInt64()));
        Assert.Equal(800, enabled[1].GetProperty("width").GetInt32());
        Assert.Equal(600, enabled[1].GetProperty("height").GetInt32());

        JsonElement back = lines.Single(l => Is(l, "primary", "changed") && l.GetProperty("frame").GetInt64() == 181);
        Assert.Equal(1024, back.GetProperty("width").GetInt32());

        // Page flipping: while enabled the primary alternates between two ids, every frame a change.
        long[] flips = lines.Where(l => Is(l, "primary", "changed") && l.GetProperty("frame").GetInt64() <= 100)
            .Select(l => l.GetProperty("frame").GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(2, 99).Select(i => (long)i), flips);
        uint[] ids = lines.Where(l => l.GetProperty("plane").GetString() == "primary" && l.GetProperty("frame").GetInt64() <= 100)
            .Select(l => l.GetProperty("dmabuf_id").GetUInt32()).Distinct().ToArray();
        Assert.Equal(2, ids.Length);

        Assert.Contains(lines, l => Is(l, "cursor", "moved"));
        JsonElement cache = lines[^1].GetProperty("cache");
        Assert.True(cache.GetProperty("hits").GetInt64() > 200, $"page flips should hit the cache: {cache}");
        Assert.True(cache.GetProperty("open_fds").GetInt32() <= 8, $"the cache holds at most 8 dma-bufs: {cache}");
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim:mbochs")]
    [InlineData("sim:gvt")]
    public void Watch_Json_PrimaryLinesHaveNoHotspot(string device)
    {
        // The devices answer x_hot = y_hot = 0 for a primary plane; a hotspot is a cursor's.
        List<JsonElement> primaries = WatchJson(device, 240).Where(l => l.GetProperty("plane").GetString() == "primary").ToList();

        Assert.NotEmpty(primaries);
        Assert.All(primaries, l => Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (l.GetProperty("hot_x").ValueKind, l.GetProperty("hot_y").ValueKind)));
    }

    [Fact]
    public void Watch_Json_CursorLinesKeepTheirHotspot()
    {
        JsonElement cursor = WatchJson("sim", 1).Single(l => l.GetProperty("plane").GetString() == "cursor");

        // Frame 0 of the guest script shows cursor shape 0, whose hotspot is 1,1.
        Assert.Equal((1, 1), (cursor.GetProperty("hot_x").GetInt32(), cursor.GetProperty("hot_y").GetInt32()));
    }

    [Fact]
    public void Watch_Json_DisabledLinesHaveEveryPlaneFieldNullIdIncluded()
    {
        List<JsonElement> disabled = WatchJson("sim", 120).Where(l => l.GetProperty("event").GetString() == "disabled").ToList();

        Assert.Equal(2, disabled.Count); // primary and cursor at frame 101
        foreach (JsonElement line in disabled)
        {
            foreach (string field in (string[])["format", "modifier", "width", "height", "stride", "size", "x", "y", "hot_x", "hot_y", "dmabuf_id"])
            {
                Assert.True(line.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.Null, $"{field} in {line}");
            }

            Assert.False(line.TryGetProperty("region_index", out _));
        }
    }

    [Fact]
    public void Watch_Mbochs_NoCursorAndTheModeChangeEnomemIsAbsorbed()
    {
        var cli = new CliRunner();
        int code = cli.Run("watch", "sim:mbochs", "--json", "--frames", "240", "--interval", "0");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(string.Empty, cli.Error.ToString());
        List<JsonElement> lines = Parse(cli.Output.ToString());
        Assert.DoesNotContain(lines, l => l.GetProperty("plane").GetString() == "cursor");

        // The first query after the change to 800x600 (cycle position 120, frame 121) fails with
        // ENOMEM as mbochs does; the next one succeeds.
        JsonElement small = lines.Single(l => Is(l, "primary", "enabled") && l.GetProperty("width").GetInt32() == 800);
        Assert.Equal(122, small.GetProperty("frame").GetInt64());

        // mbochs keeps its buffers per mode: back in the first mode (cycle 180, frame 181 fails with
        // ENOMEM again), the first mode's ids come back and the 800x600 ones are new.
        uint[] first = PrimaryIds(lines, 1, 100);
        uint[] small800 = PrimaryIds(lines, 121, 180);
        uint[] again = PrimaryIds(lines, 182, 240);
        Assert.Equal(2, first.Length);
        Assert.Equal(first.Order(), again.Order());
        Assert.Empty(small800.Intersect(first));
        Assert.DoesNotContain(lines, l => l.GetProperty("frame").GetInt64() == 181);
    }

    private static uint[] PrimaryIds(List<JsonElement> lines, long from, long to) => lines
        .Where(l => l.GetProperty("plane").GetString() == "primary" && l.GetProperty("frame").GetInt64() >= from && l.GetProperty("frame").GetInt64() <= to)
        .Select(l => l.GetProperty("dmabuf_id").GetUInt32()).Distinct().ToArray();

    [Fact]
    public void Watch_Mdpy_RegionPlaneAndNoCursorFromTheRepeatedPrimary()
    {
        List<JsonElement> lines = WatchJson("sim:mdpy", 30);

        JsonElement only = Assert.Single(lines);
        Assert.Equal("enabled", only.GetProperty("event").GetString());
        Assert.Equal(16, only.GetProperty("region_index").GetInt32());
        Assert.False(only.TryGetProperty("dmabuf_id", out _));
    }

    [Fact]
    public void Watch_TextOutput_NamesFramePlaneAndEvent()
    {
        var cli = new CliRunner();
        int code = cli.Run("watch", "sim", "--frames", "2", "--interval", "0");

        Assert.Equal(ExitCodes.Success, code);
        string[] lines = cli.Output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("frame 1 primary enabled XR24 LINEAR 1024x768 stride 4096", lines[0]);
        Assert.StartsWith("frame 1 cursor enabled AR24 LINEAR 64x64", lines[1]);
        Assert.StartsWith("frame 2 primary changed", lines[2]);
    }

    [Theory]
    [InlineData("sim:gvt,unplug=50")]
    [InlineData("sim:mdpy,unplug=50")]
    public void Watch_DeviceRemovedMidWatch_EndsWithDeviceGone(string device)
    {
        var cli = new CliRunner();

        int code = cli.Run("watch", device, "--json", "--interval", "0");

        // The guest frame 50 is the 51st primary query: frames 1-50 are reported, 51 fails.
        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Equal($"vgpuview: {device}: device gone (ENODEV) at frame 51\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.All(Parse(cli.Output.ToString()), l => Assert.InRange(l.GetProperty("frame").GetInt64(), 1, 50));
    }

    [Fact]
    public void Watch_ManyFrames_OpenFdsReturnToTheStartingCount()
    {
        var before = FdSnapshot.Take();

        List<JsonElement> lines = WatchJson("sim:gvt", 1000);

        Assert.All(lines, l => Assert.InRange(l.GetProperty("cache").GetProperty("open_fds").GetInt32(), 0, 8));
        var after = FdSnapshot.Take();
        Assert.True(after.Count == before.Count, after.Since(before));
    }

    private static List<JsonElement> WatchJson(string device, int frames)
    {
        var cli = new CliRunner();
        int code = cli.Run("watch", device, "--json", "--frames", frames.ToString(), "--interval", "0");
        Assert.True(code == ExitCodes.Success, cli.Error.ToString());
        return Parse(cli.Output.ToString());
    }

    private static List<JsonElement> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static bool Is(JsonElement line, string plane, string e) =>
        line.GetProperty("plane").GetString() == plane && line.GetProperty("event").GetString() == e;

    private static JsonElement Single(List<JsonElement> lines, string plane, string e) => lines.Single(l => Is(l, plane, e));
}

/// <summary>
/// A removed mdev can keep answering ioctls while it is held (seen with mbochs on 6.1); its sysfs
/// entry going away is what ends the watch.
/// </summary>
public sealed class WatchRemovalTests : IDisposable
{
    private readonly string _sysfsEntry = Directory.CreateTempSubdirectory("vgpuview-mdev-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_sysfsEntry))
        {
            Directory.Delete(_sysfsEntry);
        }
    }

    [Fact]
    public async Task Watch_SysfsEntryRemovedWhileIoctlsStillAnswer_EndsWithDeviceGone()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var cli = new CliRunner(new PresenceOpener(_sysfsEntry));
        Task<int> watch = Task.Run(() => cli.Run("watch", "sim", "--json", "--interval", "5"), cancel);
        await Task.Delay(300, cancel);
        Assert.False(watch.IsCompleted, "watch ended before the device was removed: " + cli.Error);

        Directory.Delete(_sysfsEntry);

        int code = await watch.WaitAsync(TimeSpan.FromSeconds(10), cancel);
        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Matches($"^vgpuview: sim: device gone \\(ENODEV\\) at frame [0-9]+: {Regex.Escape(_sysfsEntry)} was removed$", cli.Error.ToString().Trim());
    }

    private sealed class PresenceOpener(string presencePath) : IDeviceOpener
    {
        public SysfsTree Sysfs { get; } = new();

        public VgpuDevice Open(string spec) => VgpuDevice.ForTest(SimulatedDevices.Open(string.Empty), spec, presencePath);
    }
}
