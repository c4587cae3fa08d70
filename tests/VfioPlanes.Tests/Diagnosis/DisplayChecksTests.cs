using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Diagnosis;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Edid;
using Xunit;
using VgpuView.VfioPlanes.Opening;

namespace VgpuView.VfioPlanes.Tests.Diagnosis;

public class DisplayChecksTests
{
    [Fact]
    public void Mbochs_FreshLinkNotSet_EdidIsAProblemThatNamesTheEdidCommand()
    {
        using VgpuDevice device = Open("sim:mbochs");

        List<DoctorCheck> checks = [.. DisplayChecks.Run(device, "sim:mbochs", wholePci: false, mayFetchDmaBuf: true)];

        Assert.Equal(["display.probe", "display.plane", "display.edid", "display.dmabuf"], checks.Select(c => c.Id));
        Assert.Equal("dma-buf planes yes, region planes no", checks[0].Found);
        // mbochs fails the first query after an open with ENOMEM; the check asks again.
        Assert.Equal(CheckStatus.Ok, checks[1].Status);
        Assert.StartsWith("enabled: 1024x768 XR24 LINEAR, dma-buf id", checks[1].Found);
        DoctorCheck edid = checks[2];
        Assert.Equal(CheckStatus.Problem, edid.Status);
        Assert.StartsWith("link not set, blob 0 bytes: the guest sees no monitor", edid.Found);
        Assert.Equal("run `vgpuview edid sim:mbochs --mode 1024x768` (as a VMM does: writes an EDID, then brings the link up)", edid.Fix);
    }

    [Fact]
    public void Mbochs_AfterAVmmPresentsAMonitor_EdidIsOk()
    {
        using VgpuDevice device = Open("sim:mbochs");
        Assert.True(EdidBuilder.TryForMode(1280, 800, 60, "vgpuview", out byte[]? blob, out _));
        EdidWriter.Present(device, blob, TimeSpan.Zero);

        DoctorCheck edid = DisplayChecks.Run(device, "sim:mbochs", false, true).Single(c => c.Id == "display.edid");

        Assert.Equal(CheckStatus.Ok, edid.Status);
        Assert.StartsWith("link up, blob 128 bytes: ", edid.Found);
    }

    [Fact]
    public void Mbochs_LinkDown_IsAProblem()
    {
        using VgpuDevice device = Open("sim");
        EdidWriter.SetLink(device, up: false);

        DoctorCheck edid = DisplayChecks.Run(device, "sim", false, true).Single(c => c.Id == "display.edid");

        Assert.Equal(CheckStatus.Problem, edid.Status);
        Assert.StartsWith("link down", edid.Found);
    }

    [Fact]
    public void UnmappableDmaBuf_IsAWarningPointingAtGpuCapture()
    {
        using VgpuDevice device = Open("sim:mbochs,cpu-map=off");

        DoctorCheck dmabuf = DisplayChecks.Run(device, "sim:mbochs,cpu-map=off", false, true).Single(c => c.Id == "display.dmabuf");

        Assert.Equal(CheckStatus.Warning, dmabuf.Status);
        Assert.Contains("the CPU cannot map it", dmabuf.Found);
        Assert.Contains("--gpu", dmabuf.Fix);
    }

    [Fact]
    public void MappableDmaBuf_IsOk_AndAnInheritedFdIsNotFetched()
    {
        using VgpuDevice device = Open("sim");

        Assert.Equal(CheckStatus.Ok, DisplayChecks.Run(device, "sim", false, true).Single(c => c.Id == "display.dmabuf").Status);
        Assert.Equal(CheckStatus.Info, DisplayChecks.Run(device, "fd:3", false, mayFetchDmaBuf: false).Single(c => c.Id == "display.dmabuf").Status);
    }

    [Fact]
    public void Mdpy_RegionPlaneAndNoEdidRegion()
    {
        using VgpuDevice device = Open("sim:mdpy");

        List<DoctorCheck> checks = [.. DisplayChecks.Run(device, "sim:mdpy", false, true)];

        Assert.Equal(["display.probe", "display.plane", "display.edid"], checks.Select(c => c.Id));
        Assert.Contains("region 16", checks[1].Found);
        Assert.Equal(CheckStatus.Info, checks[2].Status);
    }

    private static VgpuDevice Open(string spec) => DeviceFactory.Open(DeviceSpec.Parse(spec), new SysfsTree());
}
