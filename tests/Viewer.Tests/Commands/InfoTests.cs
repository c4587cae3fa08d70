using System.Text.Json;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

public class InfoTests
{
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
    public void Info_Text_ListsRegionsAndPlanes()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", "sim:gvt");

        Assert.Equal(ExitCodes.Success, code);
        string text = cli.Output.ToString();
        Assert.Contains("planes   dmabuf yes, region no", text);
        Assert.Contains("primary  XR24 I915_X_TILED 1024x768", text);
        Assert.Contains("(EDID)", text);
        Assert.Contains("gpu      ", text);
    }

    [Fact]
    public void Info_DeviceThatIsGone_ExitsWithDeviceFailure()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", "sim:unplug=0");

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.Contains("ENODEV", cli.Error.ToString());
    }

    private static JsonElement InfoJson(string device)
    {
        var cli = new CliRunner();
        int code = cli.Run("info", device, "--json");
        Assert.True(code == ExitCodes.Success, cli.Error.ToString());
        return JsonDocument.Parse(cli.Output.ToString()).RootElement;
    }
}
