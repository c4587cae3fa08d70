using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.Window;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>
/// The window's screenshot without a window. A dma-buf the CPU cannot map reaches the screen
/// only through import on a GPU (llvmpipe maps what it imports, and Xvfb's window imports
/// nothing), so the fallback is driven here with two sims in step: the renderer draws the frame
/// of sim:mbochs while the screenshot is asked for the same frame of sim:mbochs,cpu-map=off,
/// whose guest draws the same pixels and whose dma-buf the CPU cannot map.
/// </summary>
[Collection("gl")]
public sealed class ScreenshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vgpuview-screenshot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Screenshot_DmaBufTheCpuCannotMap_ReadsTheRenderersFrameBackAndSaysSo()
    {
        RequireEgl();
        ImageMagick.Require();
        using VgpuDevice unmappable = DeviceFactory.Open(DeviceSpec.Parse("sim:mbochs,320x200,cpu-map=off"), new SysfsTree());
        using VgpuDevice mappable = DeviceFactory.Open(DeviceSpec.Parse("sim:mbochs,320x200"), new SysfsTree());
        using var shown = new FrameSource(unmappable);
        using var drawn = new FrameSource(mappable);
        using var gpu = new GpuCompositor(TextWriter.Null);
        var shownFrame = new Frame();
        var drawnFrame = new Frame();
        for (int i = 0; i < 5 && !shownFrame.Primary.IsShown; i++)
        {
            shown.Next(shownFrame);
            drawn.Next(drawnFrame);
        }

        Assert.True(shownFrame.Primary.IsShown && drawnFrame.Primary.IsShown, "mbochs showed no primary");
        gpu.Render(drawn, drawnFrame);
        var cpu = new CpuCompositor();
        using (PlaneMemory m = drawnFrame.Primary.BeginCpuRead())
        {
            cpu.DrawPrimary(drawnFrame.Primary.Info, m.Bytes, keepAlpha: false);
        }

        var screenshot = new Screenshot(_dir, unmappable.Name);
        string path = screenshot.Save(shownFrame, withCursor: true, gpu, out string? readBack);

        Assert.NotNull(readBack);
        Assert.Contains("cannot be mapped by the CPU (EACCES", readBack);
        Assert.Equal("320x200", ImageMagick.Property(path, "%wx%h"));
        AssertSameImage(cpu.Screen.ToArray(), ImageMagick.DecodeRgba(path), 320, "screenshot read back");

        // Without a rendered frame of that size there is nothing to fall back to: the CPU's failure stands.
        Assert.Throws<VfioException>(() => screenshot.Save(shownFrame, withCursor: true, rendered: null, out _));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Screenshot_MappableDmaBuf_ConvertsOnTheCpuAndSaysNothing()
    {
        RequireEgl();
        ImageMagick.Require();
        using VgpuDevice device = DeviceFactory.Open(DeviceSpec.Parse("sim:320x200"), new SysfsTree());
        using var source = new FrameSource(device);
        using var gpu = new GpuCompositor(TextWriter.Null);
        var frame = new Frame();
        source.Next(frame);
        gpu.Render(source, frame);

        string path = new Screenshot(_dir, device.Name).Save(frame, withCursor: true, gpu, out string? readBack);

        Assert.Null(readBack);
        AssertSameImage(Read(gpu), ImageMagick.DecodeRgba(path), 320, "screenshot converted on the CPU");
    }
}
