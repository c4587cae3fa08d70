extern alias vfioplanes;

using System.Text.Json;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Tests.Cli;
using Xunit;

namespace VgpuView.Viewer.Tests.Commands;

public sealed class EdidCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-edid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Edid_Show_Mbochs_SaysTheLinkIsNotSetAndWhatThatMeans()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("edid", "sim:mbochs"));

        // edid_max_size 1024: mbochs' blob buffer, u8 edid_blob[0x400] (mbochs.c).
        Assert.Equal(
            "sim:mbochs: region 9: link not set, max 2560x1600, blob 0 of 1024 bytes\n" +
            "the guest sees no monitor EDID until the link is up: a VMM writes the blob and edid_size, then link_state UP (vgpuview edid DEVICE --mode WxH does)\n",
            cli.Output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Edid_Mode_WritesAMonitorWithThatPreferredModeAndShowsWhatTheDeviceKept()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("edid", "sim:mbochs", "--mode", "1280x720@75"));

        Assert.Equal(
            "sim:mbochs: region 9: link up, max 2560x1600, blob 128 of 1024 bytes: VGV 0x5649 \"vgpuview\", EDID 1.4, preferred 1280x720 at 75.00 Hz\n",
            cli.Output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Edid_Blob_Json_WritesTheFileAsGiven()
    {
        string file = Path.Combine(_dir, "dmt.bin");
        File.WriteAllBytes(file, EdidSamples.Dmt1024x768());
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("edid", "sim:gvt", "--blob", file, "--json"));

        JsonElement edid = JsonDocument.Parse(cli.Output.ToString()).RootElement.GetProperty("edid");
        Assert.Equal("up", edid.GetProperty("link_state").GetString());
        Assert.Equal("RHT", edid.GetProperty("blob").GetProperty("vendor").GetString());
        Assert.Equal(1024, edid.GetProperty("blob").GetProperty("preferred").GetProperty("width").GetInt32());
        Assert.Equal(65e6 / (1344 * 806), edid.GetProperty("blob").GetProperty("preferred").GetProperty("refresh_hz").GetDouble(), 3);
    }

    [Fact]
    public void Edid_Mode_OnGvt_WritesTheBlobPastTheReportedRegionSize_AndTheGuestSwitches()
    {
        // kvmgt: the region reports EDID_SIZE (128 bytes), the blob lies at EDID_BLOB_OFFSET (2048),
        // edid_max_size 128, and the region starts over the vGPU's own EDID with link_state 0.
        using var opener = new OneSimOpener("gvt");
        var cli = new CliRunner(opener);

        Assert.Equal(ExitCodes.Success, cli.Run("edid", "sim:gvt"));
        Assert.StartsWith("sim:gvt: region 9: link not set, max 2560x1600, blob 128 of 128 bytes: VGV 0x5649 \"vgpuview sim\", EDID 1.4, preferred 1024x768", cli.Output.ToString());

        var set = new CliRunner(opener);
        Assert.Equal(ExitCodes.Success, set.Run("edid", "sim:gvt", "--mode", "800x600"));
        Assert.StartsWith(
            "sim:gvt: region 9: link up, max 2560x1600, blob 128 of 128 bytes: VGV 0x5649 \"vgpuview\", EDID 1.4, preferred 800x600 at ",
            set.Output.ToString());

        var info = new CliRunner(opener);
        Assert.Equal(ExitCodes.Success, info.Run("info", "sim:gvt"));
        Assert.Contains("region  9 size 0x80 ", info.Output.ToString());
        Assert.Contains("primary  XR24 I915_X_TILED 800x600", info.Output.ToString());
    }

    [Fact]
    public void Edid_BlobOverGvtsEdidMaxSize_IsAUsageError()
    {
        // kvmgt keeps one 128-byte block (edid_max_size EDID_SIZE). A base block declaring one
        // extension (all zero bytes: its checksum holds) is two.
        string file = Path.Combine(_dir, "two-blocks.bin");
        byte[] blob = [.. EdidSamples.Dmt1024x768(), .. new byte[128]];
        blob[126] = 1;
        blob[127] = EdidSamples.Checksum(blob);
        File.WriteAllBytes(file, blob);
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("edid", "sim:gvt", "--blob", file));

        Assert.Equal($"vgpuview: --blob {file}: 256 bytes is more than sim:gvt's EDID region 9 takes: edid_max_size 128\n", cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Edid_LinkDown_UnplugsKeepingTheBlob()
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Success, cli.Run("edid", "sim", "--link", "down"));

        Assert.StartsWith("sim: region 9: link down, max 2560x1600, blob 128 of 3840 bytes: VGV", cli.Output.ToString());
    }

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["--mode", "12x"], "--mode must be WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, as in 1920x1080 or 1920x1080@60, not '12x'" },
        { ["--mode", "1920x1080@"], "--mode must be WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, as in 1920x1080 or 1920x1080@60, not '1920x1080@'" },
        { ["--mode", "5000x100"], "--mode: 5000x100 does not fit an EDID detailed timing, which holds 1 to 4095 pixels each way" },
        { ["--mode", "800x600@500"], "--mode: a refresh rate of 500 Hz is outside 24 to 240" },
        { ["--mode", "3000x2000"], "--mode 3000x2000 is larger than sim allows: max_xres x max_yres is 2560x1600" },
        { ["--mode", "800x600", "--link", "up"], "--mode, --blob and --link each say what to write: give one of them" },
        { ["--link", "sideways"], "--link must be up or down, not 'sideways'" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void Edid_BadRequest_IsAUsageErrorNamingIt(string[] args, string message)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run(["edid", "sim", .. args]));

        Assert.Equal($"vgpuview: {message}\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Theory]
    [InlineData("missing", "--blob '{0}' does not exist")]
    [InlineData("short", "--blob {0}: 100 bytes, less than the 128-byte EDID base block")]
    [InlineData("checksum", "--blob {0}: the checksum of block 0 (the base block) is wrong: its 128 bytes sum to 2 mod 256, not 0")]
    [InlineData("missing-extensions", "--blob {0}: 128 bytes, but its base block declares 3 extension blocks: 512 bytes expected")]
    [InlineData("extension-checksum", "--blob {0}: the checksum of block 2 (extension 2 of 2) is wrong: its 128 bytes sum to 7 mod 256, not 0")]
    public void Edid_BadBlobFile_IsAUsageErrorNamingTheFile(string kind, string message)
    {
        string file = Path.Combine(_dir, kind + ".bin");
        byte[] blob = EdidSamples.Dmt1024x768();
        switch (kind)
        {
            case "short":
                File.WriteAllBytes(file, new byte[100]);
                break;
            case "checksum":
                blob[127] += 2;
                File.WriteAllBytes(file, blob);
                break;
            case "missing-extensions":
                blob[126] = 3;
                blob[127] = EdidSamples.Checksum(blob);
                File.WriteAllBytes(file, blob);
                break;
            case "extension-checksum":
                // Two extension blocks of zeros, the second's last byte 7.
                blob[126] = 2;
                blob[127] = EdidSamples.Checksum(blob);
                byte[] extensions = new byte[256];
                extensions[255] = 7;
                File.WriteAllBytes(file, [.. blob, .. extensions]);
                break;
        }

        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("edid", "sim", "--blob", file));
        Assert.Equal($"vgpuview: {string.Format(System.Globalization.CultureInfo.InvariantCulture, message, file)}\n", cli.Error.ToString().ReplaceLineEndings("\n"));
    }

    // 256 blocks of 128 bytes = 32768 is the most an EDID can have.
    [Theory]
    [InlineData("/dev/zero", "--blob /dev/zero: more than the 32768 bytes an EDID can have (256 blocks of 128)")]
    [InlineData("long", "--blob {0}: more than the 32768 bytes an EDID can have (256 blocks of 128)")]
    [InlineData("dir", "--blob '{0}' is a directory, not a file")]
    public void Edid_BlobThatIsNoEdidFile_IsAUsageErrorSayingWhy(string kind, string message)
    {
        string file = kind switch
        {
            "long" => Path.Combine(_dir, "long.bin"),
            "dir" => _dir,
            _ => kind,
        };
        if (kind == "long")
        {
            // A valid base block followed by enough bytes to make 32769 in all.
            File.WriteAllBytes(file, [.. EdidSamples.Dmt1024x768(), .. new byte[32769 - 128]]);
        }

        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("edid", "sim:mbochs", "--blob", file));
        Assert.Equal($"vgpuview: {string.Format(System.Globalization.CultureInfo.InvariantCulture, message, file)}\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Fact]
    public void Edid_BlobLargerThanTheRegionTakes_IsAUsageError_AsAModeTooLargeIs()
    {
        // mbochs' edid_max_size is its 0x400-byte blob buffer (mbochs.c), 1024 bytes = 8 blocks. A
        // base block declaring 8 extensions (all zero bytes: their checksums hold) is 9 blocks.
        string file = Path.Combine(_dir, "big.bin");
        byte[] blob = [.. EdidSamples.Dmt1024x768(), .. new byte[128 * 8]];
        blob[126] = 8;
        blob[127] = EdidSamples.Checksum(blob);
        File.WriteAllBytes(file, blob);
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.Usage, cli.Run("edid", "sim:mbochs", "--blob", file));

        Assert.Equal($"vgpuview: --blob {file}: 1152 bytes is more than sim:mbochs's EDID region 9 takes: edid_max_size 1024\n", cli.Error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, cli.Output.ToString());
    }

    [Theory]
    [InlineData]
    [InlineData("--mode", "800x600")]
    public void Edid_DeviceWithoutAnEdidRegion_IsADeviceFailure(params string[] args)
    {
        var cli = new CliRunner();

        Assert.Equal(ExitCodes.DeviceFailure, cli.Run(["edid", "sim:mdpy", .. args]));

        Assert.Contains("sim:mdpy has no EDID region (no region with the GFX/EDID type capability)", cli.Error.ToString());
    }

    /// <summary>Hands every command the same simulated vGPU, kept open across them, so one command sees what another did to it.</summary>
    private sealed class OneSimOpener(string options) : IDeviceOpener, IDisposable
    {
        private readonly IVfioDevice _sim = SimulatedDevices.Open(options);

        public SysfsTree Sysfs { get; } = new();

        public VgpuDevice Open(string spec) => new(new KeptOpen(_sim), spec);

        public void Dispose() => _sim.Dispose();
    }

    private sealed class KeptOpen(IVfioDevice inner) : DelegatingVfioDevice(inner)
    {
        // The opener owns the device.
        public override void Dispose()
        {
        }
    }
}
