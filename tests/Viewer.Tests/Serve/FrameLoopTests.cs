// The frame loop's sampled compare: how soon a thin and a thick change are seen, and that an idle guest publishes nothing.
using VgpuView.Viewer.Commands;
using VgpuView.Viewer.Serve;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

[Collection(ServeCollection.Name)]
public sealed class FrameLoopTests(ReplayFixture replay) : IClassFixture<ReplayFixture>
{
    [Theory]
    [InlineData(1, FrameLoop.SampleRows)]
    [InlineData(FrameLoop.SampleRows, 1)]
    [InlineData(16, 1)]
    public void Change_OfRows_IsPublishedWithinTheTicksTheSamplingPromises(int rows, int withinTicks)
    {
        // The guest shows the captured frame once, then the same with `rows` rows changed, from row 301.
        string json = Path.Combine(replay.Directory, $"rows-{rows}.json");
        string raw = Path.Combine(replay.Directory, $"rows-{rows}.raw");
        byte[] bytes = File.ReadAllBytes(Path.Combine(replay.Directory, "frame.raw"));
        int stride = replay.Expected.Width * 4;
        for (int y = 301; y < 301 + rows; y++)
        {
            bytes[(y * stride) + 40] ^= 0x55;
        }

        File.WriteAllBytes(raw, bytes);
        string a = $"{{\"plane\":\"primary\",\"file\":\"frame.raw\",\"format\":\"XR24\",\"width\":{replay.Expected.Width},\"height\":{replay.Expected.Height},\"stride\":{stride}}}";
        string b = a.Replace("frame.raw", Path.GetFileName(raw), StringComparison.Ordinal);
        File.WriteAllText(json, $"{{\"frames\":[[{a}],{string.Join(",", Enumerable.Repeat($"[{b}]", 40))}]}}");
        using var device = DeviceOpener.FromEnvironment().Open("sim:replay=" + json);
        using var loop = new FrameLoop(device, 8, new ServeLog(TextWriter.Null));
        Assert.True(loop.Tick());
        long shown = loop.CurrentVersion;

        // The guest changed right after the first frame: count the ticks until the change is published.
        int ticks = 0;
        while (loop.CurrentVersion == shown && ticks < 40)
        {
            Assert.True(loop.Tick());
            ticks++;
        }

        Assert.InRange(ticks, 1, withinTicks);

        // From then on the guest is idle: nothing more is published.
        long changed = loop.CurrentVersion;
        for (int i = 0; i < 2 * FrameLoop.SampleRows; i++)
        {
            Assert.True(loop.Tick());
        }

        Assert.Equal(changed, loop.CurrentVersion);
        ScreenFrame frame = loop.Acquire();
        try
        {
            // The published picture has the changed pixel: B of XR24 is R of RGBA.
            Assert.Equal((byte)(replay.Primary.Rgba[(301 * stride) + 42] ^ 0x55), frame.Rgba[(301 * stride) + 42]);
        }
        finally
        {
            frame.Release();
        }
    }

    [Fact]
    public void ACursorTheChecksRefuse_AfterAGoodOne_IsTakenOff_AsEveryCompositorLeavesItOut()
    {
        // Frame 1 shows a 4x4 cursor at 10,20; from frame 2 the device answers a 600x10 cursor,
        // which the plane checks refuse (no cursor is over 512 px).
        File.WriteAllBytes(Path.Combine(replay.Directory, "cursor-good.raw"), Enumerable.Repeat((byte)0xFF, 4 * 4 * 4).ToArray());
        File.WriteAllBytes(Path.Combine(replay.Directory, "cursor-big.raw"), new byte[2400 * 10]);
        string primary = $"{{\"plane\":\"primary\",\"file\":\"frame.raw\",\"format\":\"XR24\",\"width\":{replay.Expected.Width},\"height\":{replay.Expected.Height},\"stride\":{replay.Expected.Width * 4}}}";
        string good = """{"plane":"cursor","file":"cursor-good.raw","format":"AR24","width":4,"height":4,"stride":16,"x":10,"y":20}""";
        string big = """{"plane":"cursor","file":"cursor-big.raw","format":"AR24","width":600,"height":10,"stride":2400,"x":10,"y":20}""";
        string json = Path.Combine(replay.Directory, "cursor-refused.json");
        File.WriteAllText(json, $"{{\"frames\":[[{primary},{good}],[{primary},{big}],[{primary},{big}]]}}");
        using var device = DeviceOpener.FromEnvironment().Open("sim:replay=" + json);
        using var loop = new FrameLoop(device, 8, new ServeLog(TextWriter.Null));

        Assert.True(loop.Tick());
        Assert.Equal((true, 10, 20), Cursor(loop));

        Assert.True(loop.Tick());
        Assert.False(Cursor(loop).Shown);
    }

    private static (bool Shown, int X, int Y) Cursor(FrameLoop loop)
    {
        ScreenFrame frame = loop.Acquire();
        try
        {
            return (frame.CursorShown, frame.CursorX, frame.CursorY);
        }
        finally
        {
            frame.Release();
        }
    }
}
