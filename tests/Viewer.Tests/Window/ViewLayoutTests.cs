using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>Where the guest's image lands in the framebuffer; every expected rectangle worked out by hand in the comment beside it.</summary>
public sealed class ViewLayoutTests
{
    [Theory]
    // 640x480 in 1280x720: height limits, 1.5x, 960x720, bars (1280 - 960) / 2 = 160.
    [InlineData(640, 480, 1280, 720, 160, 0, 960, 720, false)]
    // 1920x1080 in 1280x800: width limits, 2/3x, 1280x720, bars (800 - 720) / 2 = 40.
    [InlineData(1920, 1080, 1280, 800, 0, 40, 1280, 720, false)]
    // 640x360 in 1280x720: exactly 2x both ways, no bars, nearest.
    [InlineData(640, 360, 1280, 720, 0, 0, 1280, 720, true)]
    // 800x600 in 1000x1000: width limits, 1.25x, 1000x750, bars (1000 - 750) / 2 = 125.
    [InlineData(800, 600, 1000, 1000, 0, 125, 1000, 750, false)]
    // 1024x768 in a HiDPI framebuffer of 2048x1536: 2x, nearest.
    [InlineData(1024, 768, 2048, 1536, 0, 0, 2048, 1536, true)]
    // 1024x768 in 900x500: height limits, 500/768; 1024 * 500 / 768 = 666.67, rounded 667; x = (900 - 667) / 2 = 116.
    [InlineData(1024, 768, 900, 500, 116, 0, 667, 500, false)]
    public void Fit_KeepsAspectAndCentres(int w, int h, int fbW, int fbH, int x, int y, int dw, int dh, bool nearest) =>
        Assert.Equal(new ViewRect(x, y, dw, dh, nearest), ViewLayout.Place(ScaleMode.Fit, 1, w, h, fbW, fbH));

    [Theory]
    [InlineData(640, 480, 1280, 720, false)] // 2x by 1.5x: linear
    [InlineData(640, 360, 1280, 720, true)]  // 2x by 2x: nearest
    [InlineData(640, 480, 1280, 960, true)]  // 2x by 2x
    [InlineData(640, 480, 640, 960, true)]   // 1x by 2x: whole pixels each way
    public void Fill_CoversTheFramebuffer(int w, int h, int fbW, int fbH, bool nearest) =>
        Assert.Equal(new ViewRect(0, 0, fbW, fbH, nearest), ViewLayout.Place(ScaleMode.Fill, 1, w, h, fbW, fbH));

    [Theory]
    [InlineData(200, 150, 1, 200, 150, 0, 0, 200, 150)]       // same size: at the origin
    [InlineData(200, 150, 1, 400, 300, 100, 75, 200, 150)]    // centred: (400 - 200) / 2, (300 - 150) / 2
    [InlineData(200, 150, 3, 400, 300, -100, -75, 600, 450)]  // 3x is 600x450, larger: centred and cropped, (400 - 600) / 2 = -100
    [InlineData(201, 151, 1, 200, 150, -1, -1, 201, 151)]     // one pixel over: floor(-1 / 2) = -1, stable from frame to frame
    [InlineData(100, 100, 40, 400, 400, -600, -600, 1600, 1600)] // zoom capped at 16: 1600x1600
    public void OneToOne_IsIntegerZoomCentredWithNearest(int w, int h, int zoom, int fbW, int fbH, int x, int y, int dw, int dh) =>
        Assert.Equal(new ViewRect(x, y, dw, dh, true), ViewLayout.Place(ScaleMode.OneToOne, zoom, w, h, fbW, fbH));

    [Fact]
    public void NothingToPlace_GivesAnEmptyRectangle()
    {
        Assert.Equal(default, ViewLayout.Place(ScaleMode.Fit, 1, 0, 480, 1280, 720));
        Assert.Equal(default, ViewLayout.Place(ScaleMode.Fit, 1, 640, 480, 0, 0));
    }
}
