extern alias vfioplanes;

using System.Runtime.InteropServices;
using System.Text.Json;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

public sealed class InfoTests : IDisposable
{
    private readonly List<string> _dirs = [];

    [Fact]
    public void Info_Mbochs_DmabufOnlyWithTheEdidRegionAndNoCursor()
    {
        JsonElement info = InfoJson("sim:mbochs");

        Assert.True(info.GetProperty("probe").GetProperty("dmabuf").GetBoolean());
        Assert.False(info.GetProperty("probe").GetProperty("region").GetBoolean());
        JsonElement edid = info.GetProperty("regions").EnumerateArray()
            .Single(r => r.GetProperty("cap_type").ValueKind == JsonValueKind.Object);
        Assert.Equal(9, edid.GetProperty("index").GetInt32());
        Assert.Equal(1, edid.GetProperty("cap_type").GetProperty("type").GetInt32());
        Assert.Equal(1, edid.GetProperty("cap_type").GetProperty("subtype").GetInt32());
        Assert.True(info.GetProperty("planes").GetProperty("primary").GetProperty("enabled").GetBoolean());
        Assert.False(info.GetProperty("planes").GetProperty("cursor").GetProperty("enabled").GetBoolean());
        Assert.True(info.TryGetProperty("gpu", out _));
    }

    [Fact]
    public void Info_Mdpy_RegionPlaneAtIndex16AndTheRepeatedPrimaryIsNoCursor()
    {
        JsonElement info = InfoJson("sim:mdpy");

        Assert.False(info.GetProperty("probe").GetProperty("dmabuf").GetBoolean());
        Assert.True(info.GetProperty("probe").GetProperty("region").GetBoolean());
        JsonElement primary = info.GetProperty("planes").GetProperty("primary");
        Assert.Equal(16, primary.GetProperty("region_index").GetInt32());
        Assert.Equal("XR24", primary.GetProperty("format").GetString());
        Assert.False(info.GetProperty("planes").GetProperty("cursor").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void Info_Json_Mdpy_ListsThePlaneRegionBeyondNumRegions()
    {
        JsonElement info = InfoJson("sim:mdpy");

        // mdpy: 9 PCI regions (0-8) and the plane in region 16, same offset and size as BAR0: the
        // framebuffer, 1024 * 768 * 4 bytes (3 MiB), rounded up to a power of two (mdpy_init_dev).
        Assert.Equal(9, info.GetProperty("num_regions").GetInt32());
        JsonElement[] regions = [.. info.GetProperty("regions").EnumerateArray()];
        JsonElement bar0 = regions.Single(r => r.GetProperty("index").GetInt32() == 0);
        JsonElement plane = regions.Single(r => r.GetProperty("index").GetInt32() == 16);
        Assert.Equal(bar0.GetProperty("offset").GetUInt64(), plane.GetProperty("offset").GetUInt64());
        Assert.Equal(4UL << 20, plane.GetProperty("size").GetUInt64());
        Assert.Equal(bar0.GetProperty("size").GetUInt64(), plane.GetProperty("size").GetUInt64());
        Assert.Equal(["read", "write", "mmap"], plane.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void Info_Text_Mdpy_SaysWhyRegion16IsListed()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("info", "sim:mdpy"));

        // 1024x768x4 bytes rounded up to a power of two, as mdpy sizes its framebuffer: 4 MiB.
        Assert.Contains("region 16 size 0x400000 offset 0x0 read,write,mmap (beyond num_regions: the plane's region)", cli.Output.ToString());
    }

    [Fact]
    public void Info_Json_DmaBufDevice_ListsOnlyRegionsBelowNumRegions()
    {
        JsonElement info = InfoJson("sim:gvt");
        int count = info.GetProperty("num_regions").GetInt32();

        Assert.All(info.GetProperty("regions").EnumerateArray(), r => Assert.InRange(r.GetProperty("index").GetInt32(), 0, count - 1));
    }

    [Fact]
    public void Info_Text_ListsRegionsAndPlanes()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", "sim:gvt");

        Assert.Equal(ExitCodes.Success, code);
        string text = cli.Output.ToString();
        Assert.Contains("planes   dmabuf yes, region no", text);
        Assert.Contains("primary  XR24 I915_X_TILED 1024x768", text);
        Assert.Contains("(EDID)", text);
        // kvmgt's intel_gvt_set_edid: edid_max_size 128 over the vGPU's own EDID, link_state never written.
        Assert.Contains("edid     region 9: link not set, max 2560x1600, blob 128 of 128 bytes: VGV 0x5649 \"vgpuview sim\", EDID 1.4, preferred 1024x768 at 60.00 Hz", text);
        // The driver made that monitor itself: no hint that the guest sees none.
        Assert.DoesNotContain("the guest sees no monitor", text);
        Assert.Contains("gpu      ", text);
    }

    [Fact]
    public void Info_Json_EdidOfTheSim_DescribesItsBaseMode()
    {
        JsonElement edid = InfoJson("sim:gvt,1280x1024").GetProperty("edid");

        Assert.Equal(9, edid.GetProperty("region").GetInt32());
        // kvmgt makes the region with edid_size 128 and link_state left 0 by kzalloc.
        Assert.Equal("not set", edid.GetProperty("link_state").GetString());
        Assert.Equal(128, edid.GetProperty("edid_size").GetInt32());
        Assert.Equal(JsonValueKind.Null, edid.GetProperty("problem").ValueKind);
        JsonElement blob = edid.GetProperty("blob");
        Assert.Equal("VGV", blob.GetProperty("vendor").GetString());
        Assert.Equal("1.4", blob.GetProperty("version").GetString());
        Assert.True(blob.GetProperty("checksum_ok").GetBoolean());
        JsonElement preferred = blob.GetProperty("preferred");
        Assert.Equal((1280, 1024), (preferred.GetProperty("width").GetInt32(), preferred.GetProperty("height").GetInt32()));
        Assert.InRange(preferred.GetProperty("refresh_hz").GetDouble(), 59.95, 60.05);
    }

    [Fact]
    public void Info_Json_DeviceWithoutAnEdidRegion_HasEdidNull() =>
        Assert.Equal(JsonValueKind.Null, InfoJson("sim:mdpy").GetProperty("edid").ValueKind);

    [Fact]
    public void Info_Text_MbochsWithTheLinkNotSet_SaysWhatTheGuestSees()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("info", "sim:mbochs"));

        string[] lines = cli.Output.ToString().ReplaceLineEndings("\n").Split('\n');
        int at = Array.FindIndex(lines, l => l.StartsWith("edid     ", StringComparison.Ordinal));
        Assert.True(at >= 0, cli.Output.ToString());
        // edid_max_size 1024: mbochs' blob buffer, u8 edid_blob[0x400] (mbochs.c).
        Assert.Equal("edid     region 9: link not set, max 2560x1600, blob 0 of 1024 bytes", lines[at]);
        Assert.Contains("the guest sees no monitor EDID until the link is up", lines[at + 1]);
    }

    [Fact]
    public void Info_DeviceThatIsGone_ExitsWithDeviceFailure()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", "sim:unplug=0");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("ENODEV", cli.Error.ToString());
    }

    [Fact]
    public void Info_Mbochs_AsksAgainAfterTheEnomemOfTheFirstQuery()
    {
        // sim:mbochs, as the real one, has no buffer right after the open and fails the first query.
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("info", "sim:mbochs"));

        Assert.Contains("primary  XR24 LINEAR 1024x768 stride 4096 size 3145728 dmabuf_id ", cli.Output.ToString());
    }

    [Fact]
    public void Info_PrimaryFailsWithEnomemFewerTimesThanItTries_ShowsThePlane()
    {
        var cli = new CliRunner(new FailingQueryOpener(Errno.ENOMEM, InfoHandler.TransientTries - 1));

        Assert.Equal(ExitCodes.Success, cli.Run("info", "sim"));

        Assert.Contains("primary  XR24 LINEAR 1024x768 ", cli.Output.ToString());
    }

    [Theory]
    [InlineData(Errno.ENOMEM, "ENOMEM")]
    [InlineData(Errno.EAGAIN, "EAGAIN")]
    public void Info_PrimaryKeepsFailingTransiently_SaysWhichErrnoAndHowOften(int errno, string name)
    {
        var cli = new CliRunner(new FailingQueryOpener(errno, int.MaxValue));

        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("info", "sim"));

        string line = cli.Output.ToString().ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith("primary ", StringComparison.Ordinal));
        Assert.Equal(
            $"primary  transient: sim: primary plane: VFIO_DEVICE_QUERY_GFX_PLANE failed with {Marshal.GetPInvokeErrorMessage(errno)} ({name}) " +
            $"{InfoHandler.TransientTries} times in a row; the device may answer later",
            line);
    }

    [Fact]
    public void Info_Json_PrimaryKeepsFailingTransiently_HasStatusAndError()
    {
        var cli = new CliRunner(new FailingQueryOpener(Errno.ENOMEM, int.MaxValue));

        Assert.Equal(ExitCodes.DeviceFailure, cli.Run("info", "sim", "--json"));

        JsonElement primary = JsonDocument.Parse(cli.Output.ToString()).RootElement.GetProperty("planes").GetProperty("primary");
        Assert.False(primary.GetProperty("enabled").GetBoolean());
        Assert.Equal("transient", primary.GetProperty("status").GetString());
        Assert.Contains("(ENOMEM)", primary.GetProperty("error").GetString());
    }

    [Fact]
    public void Info_InvalidCursor_PrintsEverythingAndExitsWithDeviceFailure()
    {
        string replay = ReplayWithOversizedCursor();
        var cli = new CliRunner();

        int code = cli.Run("info", replay);

        Assert.Equal(ExitCodes.DeviceFailure, code);
        string expected = $"{replay}: cursor plane: cursor 600x10 is larger than 512 px";
        string text = cli.Output.ToString();
        Assert.Contains("primary  XR24 LINEAR 4x2 stride 16 size 32 dmabuf_id ", text);
        Assert.Contains($"cursor   invalid: {expected}", text);
        Assert.Contains("gpu      ", text);
        Assert.Equal($"vgpuview: {expected}", cli.Error.ToString().TrimEnd());
    }

    [Fact]
    public void Info_Json_InvalidCursor_IsStillAWholeDocumentAndExitsWithDeviceFailure()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", ReplayWithOversizedCursor(), "--json");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        JsonElement planes = JsonDocument.Parse(cli.Output.ToString()).RootElement.GetProperty("planes");
        Assert.True(planes.GetProperty("primary").GetProperty("enabled").GetBoolean());
        Assert.Equal("invalid", planes.GetProperty("cursor").GetProperty("status").GetString());
    }

    // A 4x2 XR24 primary and a 600x10 AR24 cursor, beyond the 512 px a cursor may have.
    private string ReplayWithOversizedCursor()
    {
        string dir = Directory.CreateTempSubdirectory("vgpuview-info-").FullName;
        _dirs.Add(dir);
        File.WriteAllBytes(Path.Combine(dir, "p.raw"), new byte[32]);
        File.WriteAllBytes(Path.Combine(dir, "c.raw"), new byte[2400 * 10]);
        string json = Path.Combine(dir, "planes.json");
        File.WriteAllText(json, """
            {"planes":[
              {"plane":"primary","file":"p.raw","format":"XR24","width":4,"height":2,"stride":16},
              {"plane":"cursor","file":"c.raw","format":"AR24","width":600,"height":10,"stride":2400}]}
            """);
        return "sim:replay=" + json;
    }

    public void Dispose()
    {
        foreach (string dir in _dirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static JsonElement InfoJson(string device)
    {
        var cli = new CliRunner();
        int code = cli.Run("info", device, "--json");
        Assert.True(code == ExitCodes.Success, cli.Error.ToString());
        return JsonDocument.Parse(cli.Output.ToString()).RootElement;
    }

    /// <summary>Opens the simulated vGPU behind a device whose first primary queries fail with one errno.</summary>
    private sealed class FailingQueryOpener(int errno, int failures) : IDeviceOpener
    {
        public SysfsTree Sysfs { get; } = new();

        public VgpuDevice Open(string spec) =>
            VgpuDevice.ForTest(new FailingQueryDevice(SimulatedDevices.Open(string.Empty), errno, failures), spec, presencePath: null);
    }

    private sealed class FailingQueryDevice(IVfioDevice inner, int errno, int failures) : DelegatingVfioDevice(inner)
    {
        private int _failed;

        public override int QueryGfxPlane(ref vfioplanes::Interop.Vfio.vfio_device_gfx_plane_info info)
        {
            if ((info.flags & vfioplanes::Interop.Vfio.VFIO_GFX_PLANE_TYPE_PROBE) == 0 && info.drm_plane_type == 1 && _failed < failures)
            {
                _failed++;
                return errno;
            }

            return Inner.QueryGfxPlane(ref info);
        }
    }
}
