using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Simulation;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class SimOptionsTests
{
    [Fact]
    public void Empty_IsTheWellBehavedDefault()
    {
        SimOptions o = SimOptions.Parse("");
        Assert.Equal(SimPersonality.Default, o.Personality);
        Assert.Equal(new SimMode(1024, 768), o.Mode);
        Assert.Equal(DrmFourcc.XRGB8888, o.Fourcc);
        Assert.Equal(DrmModifier.Linear, o.Modifier);
        Assert.True(o.Cursor);
    }

    [Fact]
    public void Gvt_WithModeAndFormat()
    {
        SimOptions o = SimOptions.Parse("gvt,1920x1080,format=XR30");
        Assert.Equal(SimPersonality.Gvt, o.Personality);
        Assert.Equal(new SimMode(1920, 1080), o.Mode);
        Assert.Equal(DrmFourcc.XRGB2101010, o.Fourcc);
        Assert.Equal(DrmModifier.I915XTiled, o.Modifier);
        Assert.Equal(DrmModifier.Linear, SimOptions.Parse("gvt,tiling=linear").Modifier);
    }

    [Fact]
    public void Replay_TakesTheRestAsAPath()
    {
        SimOptions o = SimOptions.Parse("replay=/tmp/a,b.json");
        Assert.Equal(SimPersonality.Replay, o.Personality);
        Assert.Equal("/tmp/a,b.json", o.ReplayPath);
    }

    [Fact]
    public void Open_NamesTheDeviceAfterItsSpec()
    {
        using var sim = SimulatedDevices.Open("mdpy,800x600");
        Assert.Equal("sim:mdpy,800x600", sim.Name);
        using var plain = SimulatedDevices.Open("");
        Assert.Equal("sim", plain.Name);
    }

    [Theory]
    [InlineData("foo", "'foo'")]
    [InlineData("gvt,,", "empty option")]
    [InlineData("10x10", "'10x10'")]
    [InlineData("99999x768", "'99999x768'")]
    [InlineData("format=ZZZZ", "format=ZZZZ")]
    [InlineData("format=C8", "format=C8")]
    [InlineData("mbochs,format=AR24", "format=AR24")]
    [InlineData("mdpy,format=XR30", "format=XR30")]
    [InlineData("tiling=x", "tiling=x")]
    [InlineData("gvt,tiling=z", "tiling=z")]
    [InlineData("cursor=maybe", "cursor=maybe")]
    [InlineData("gvt,mbochs", "personality")]
    [InlineData("800x600,1024x768", "mode")]
    [InlineData("replay=", "replay=")]
    [InlineData("gvt,replay=x.json", "replay=")]
    [InlineData("format=YUYV,1025x768", "odd width")]
    [InlineData("gvt,format=RG24", "not a GVT-g primary format")]
    public void BadOptions_ThrowSimOptionsExceptionNamingTheOption(string options, string named)
    {
        var e = Assert.Throws<SimOptionsException>(() => SimOptions.Parse(options));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cursor=maybe", "sim option 'cursor=maybe' is not known; expected cursor=on or cursor=off")]
    [InlineData("mbochs,format=AR24", "sim option 'format=AR24' is not offered by sim:mbochs: it scans out XR24 only")]
    public void BadOptions_MessageIsTheTextAlone(string options, string message) =>
        Assert.Equal(message, Assert.Throws<SimOptionsException>(() => SimOptions.Parse(options)).Message);

    [Fact]
    public void EveryOptionTheErrorListsIsInTheReadme()
    {
        // The unknown-option message lists every KEY=VALUE option; README must document each.
        string listed = Assert.Throws<SimOptionsException>(() => SimOptions.Parse("no-such-option")).Message;
        string[] keys = [.. System.Text.RegularExpressions.Regex.Matches(listed, "[a-z-]+=").Select(m => m.Value).Distinct()];
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "README.md")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        Assert.NotNull(dir);
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        Assert.Contains("cpu-map=", keys);
        Assert.All(keys, key => Assert.Contains(key, readme, StringComparison.Ordinal));
    }
}
