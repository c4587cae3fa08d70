using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using Xunit;

namespace VgpuView.Viewer.Tests.Cli;

public class UsageTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("watch")]
    [InlineData("watch", "sim", "--frames", "zero")]
    [InlineData("info", "sim", "--no-such-option")]
    public void Run_BadCommandLine_ExitsWithUsage(params string[] args)
    {
        var cli = new CliRunner();

        int code = cli.Run(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("vgpuview:", cli.Error.ToString());
        Assert.Contains("--help", cli.Error.ToString());
    }

    [Theory]
    [InlineData("not-a-device")]
    [InlineData("fd:-3")]
    [InlineData("sim:no-such-personality")]
    [InlineData("sim:unplug=soon")]
    [InlineData("0000:zz:02.0")]
    public void Run_BadDeviceSpec_ExitsWithUsageAndNamesTheSpec(string spec)
    {
        var cli = new CliRunner();

        int code = cli.Run("info", spec);

        Assert.Equal(ExitCodes.Usage, code);
        string error = cli.Error.ToString();
        Assert.StartsWith("vgpuview: ", error);
        Assert.DoesNotContain("   at ", error); // a message, not a stack trace
    }

    [Fact]
    public void Run_BadSimOption_SaysWhatIsExpectedAndNothingElse()
    {
        var cli = new CliRunner();

        int code = cli.Run("info", "sim:cursor=maybe");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("vgpuview: sim option 'cursor=maybe' is not known; expected cursor=on or cursor=off", cli.Error.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("capture", "sim", "-o", "")]
    [InlineData("expect", "sim", "")]
    [InlineData("expect", "sim", "x.png", "--save-closest", "")]
    [InlineData("edid", "sim", "--blob", "")]
    [InlineData("view", "sim", "--screenshot-dir", "", "--frames", "1")]
    public void Run_EmptyPath_ExitsWithUsageNamingTheOption(params string[] args)
    {
        var cli = new CliRunner();

        int code = cli.Run(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.EndsWith("must be a path, not an empty string", cli.Error.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/shots")]
    public void Run_ScreenshotDirUnderAFile_ExitsWithUsageNamingTheOptionBeforeOpeningAnything(string under)
    {
        string file = Path.GetTempFileName();
        try
        {
            var cli = new CliRunner();

            // sim:unplug=0 fails as soon as it is queried (exit 1): exit 2 means the check came first.
            int code = cli.Run("view", "sim:unplug=0", "--screenshot-dir", file + under, "--frames", "1");

            Assert.Equal(ExitCodes.Usage, code);
            Assert.Equal($"vgpuview: --screenshot-dir '{file + under}' cannot be a directory: '{file}' is a file", cli.Error.ToString().TrimEnd());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Run_ScreenshotDirOnAReadOnlyFileSystem_ExitsWithUsageNamingTheOption()
    {
        // /proc/self is read-only to everyone, root included (EROFS or EACCES).
        Assert.True(Directory.Exists("/proc/self"));
        var cli = new CliRunner();

        int code = cli.Run("view", "sim:unplug=0", "--screenshot-dir", "/proc/self/shots", "--frames", "1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("vgpuview: --screenshot-dir '/proc/self/shots' is not writable: cannot create files in '/proc/self' (", cli.Error.ToString());
    }

    [Fact]
    public void ReportException_ArgumentExceptionFromInside_IsNoUsageError()
    {
        // An ArgumentException from the library (a mapping, a converter's stride check) is a bug or
        // a device's answer, not the command line: it must not read as "usage".
        var error = new StringWriter();

        int code = ViewerCommandLine.ReportException(new ArgumentException("stride 8 is below 16", "stride"), error);

        Assert.Equal(ExitCodes.DeviceFailure, code);
        Assert.StartsWith("vgpuview: internal error: ", error.ToString());
    }

    [Fact]
    public void ReportException_FormatExceptionFromInside_IsNoUsageError() =>
        Assert.Equal(ExitCodes.DeviceFailure, ViewerCommandLine.ReportException(new FormatException("bad"), TextWriter.Null));

    [Theory]
    [InlineData("--frames", "0")]
    [InlineData("--interval", "-1")]
    [InlineData("--cache-size", "1")]
    public void Watch_OutOfRangeValue_ExitsWithUsageNamingTheOption(string option, string value)
    {
        var cli = new CliRunner();

        int code = cli.Run("watch", "sim", option, value);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, cli.Error.ToString());
    }
}
