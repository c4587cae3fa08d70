using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

/// <summary>view's options turned into what the window is asked for, and the window's outcome into the exit code.</summary>
public sealed class ViewOptionsTests
{
    [Theory]
    [InlineData(null, nameof(ScaleMode.Fit))]
    [InlineData("fit", nameof(ScaleMode.Fit))]
    [InlineData("fill", nameof(ScaleMode.Fill))]
    [InlineData("1:1", nameof(ScaleMode.OneToOne))]
    public void ToSettings_Scale(string? scale, string expected)
    {
        Assert.Equal(Enum.Parse<ScaleMode>(expected), new ViewOptions { Device = "sim", Scale = scale }.ToSettings().Scale);
    }

    [Theory]
    [InlineData(null, nameof(WindowContext.Auto))]
    [InlineData("auto", nameof(WindowContext.Auto))]
    [InlineData("egl", nameof(WindowContext.Egl))]
    [InlineData("glx", nameof(WindowContext.Glx))]
    public void ToSettings_Context(string? context, string expected)
    {
        Assert.Equal(Enum.Parse<WindowContext>(expected), new ViewOptions { Device = "sim", Context = context }.ToSettings().Context);
    }

    [Fact]
    public void ToSettings_UnknownScaleOrContext_IsAUsageErrorNamingTheOption()
    {
        var scale = Assert.Throws<UsageException>(() => new ViewOptions { Device = "sim", Scale = "2:1" }.ToSettings());
        Assert.Equal("--scale must be fit, fill or 1:1, not '2:1'", scale.Message);
        var context = Assert.Throws<UsageException>(() => new ViewOptions { Device = "sim", Context = "wayland" }.ToSettings());
        Assert.Equal("--context must be auto, egl or glx, not 'wayland'", context.Message);
    }

    [Fact]
    public void ToSettings_CarriesEveryOtherOptionAsGiven()
    {
        ViewSettings s = new ViewOptions
        {
            Device = "sim",
            Window = new ViewSettings
            {
                Zoom = 4,
                Fps = 30,
                NoVsync = true,
                Frames = 99,
                ScreenshotDirectory = "/tmp/shots",
                Size = (640, 480),
                NoImport = true,
                Hud = true,
                NoCursor = true,
                CacheSize = 16,
            },
        }.ToSettings();

        Assert.Equal(
            (4, (int?)30, true, (long?)99, "/tmp/shots", ((int, int)?)(640, 480), true, true, true, 16),
            (s.Zoom, s.Fps, s.NoVsync, s.Frames, s.ScreenshotDirectory, s.Size, s.NoImport, s.Hud, s.NoCursor, s.CacheSize));
    }

    [Theory]
    [InlineData(nameof(ViewOutcome.Closed), 0)]
    [InlineData(nameof(ViewOutcome.Interrupted), 130)]
    [InlineData(nameof(ViewOutcome.DeviceGone), 1)]
    public void ExitCode_OfEachOutcome(string outcome, int expected)
    {
        Assert.Equal(expected, ViewHandler.ExitCode(Enum.Parse<ViewOutcome>(outcome)));
    }
}
