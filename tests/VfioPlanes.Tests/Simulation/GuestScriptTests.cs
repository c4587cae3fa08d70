using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

public class GuestScriptTests
{
    [Fact]
    public void EveryCycle_ShowsEveryPhase_ThroughTheDevice()
    {
        using var sim = Open("");
        for (int cycle = 0; cycle < 2; cycle++)
        {
            bool disabled = false, alternate = false, baseAfterAlternate = false, offLeft = false, offTop = false, offRight = false, offBottom = false;
            var hotspots = new HashSet<(uint, uint)>();
            var flipIds = new HashSet<uint>();
            uint lastId = 0;
            int flips = 0;
            for (int c = 0; c < GuestScript.CycleLength; c++)
            {
                Assert.Equal(0, Query(sim, Primary, out var p));
                Assert.Equal(0, Query(sim, Cursor, out var k));
                if (p.size == 0)
                {
                    disabled = true;
                    Assert.Equal(0u, k.size);
                    continue;
                }

                alternate |= (p.width, p.height) == (800u, 600u);
                baseAfterAlternate |= alternate && (p.width, p.height) == (1024u, 768u);
                if (c < GuestScript.DisabledStart)
                {
                    flipIds.Add(p.dmabuf_id);
                    flips += p.dmabuf_id != lastId ? 1 : 0;
                    lastId = p.dmabuf_id;
                }

                int x = unchecked((int)k.x_pos), y = unchecked((int)k.y_pos);
                offLeft |= x < 0;
                offTop |= y < 0;
                offRight |= x + 64 > p.width;
                offBottom |= y + 64 > p.height;
                hotspots.Add((k.x_hot, k.y_hot));
            }

            Assert.True(disabled && alternate && baseAfterAlternate, $"cycle {cycle}: disabled {disabled}, mode change {alternate}, back {baseAfterAlternate}");
            Assert.Equal(2, flipIds.Count);
            Assert.Equal(GuestScript.DisabledStart, flips); // a new buffer every frame: page flipping
            Assert.True(offLeft && offTop && offRight && offBottom, "the cursor hangs off every edge in a cycle");
            Assert.Equal(2, hotspots.Count);
        }
    }

    [Theory]
    [InlineData(0, true, 1024, 768, false)]
    [InlineData(99, true, 1024, 768, false)]
    [InlineData(100, false, 1024, 768, false)]
    [InlineData(119, false, 1024, 768, false)]
    [InlineData(120, true, 800, 600, true)]
    [InlineData(179, true, 800, 600, false)]
    [InlineData(180, true, 1024, 768, true)]
    [InlineData(239, true, 1024, 768, false)]
    [InlineData(240 + 120, true, 800, 600, true)]
    public void Script_FrameRanges_AreAsDocumented(long frame, bool enabled, int width, int height, bool firstAfterChange)
    {
        GuestFrame f = GuestScript.At(frame, new SimMode(1024, 768));
        Assert.Equal((enabled, width, height, firstAfterChange), (f.Enabled, f.Mode.Width, f.Mode.Height, f.FirstAfterModeChange));
        Assert.Equal((int)(frame % 2), f.Slot);
    }

    [Fact]
    public void Script_AlternateModeOf800x600_Is640x480_AndMdpyNeverChangesMode()
    {
        Assert.Equal(new SimMode(640, 480), GuestScript.At(130, new SimMode(800, 600)).Mode);
        GuestFrame fixedMode = GuestScript.At(130, new SimMode(1024, 768), fixedMode: true);
        Assert.Equal(new SimMode(1024, 768), fixedMode.Mode);
        Assert.False(GuestScript.At(120, new SimMode(1024, 768), fixedMode: true).FirstAfterModeChange);
    }

    [Fact]
    public void Script_BoxAndCursorStayInsideTheirBounds()
    {
        foreach (SimMode mode in new[] { new SimMode(256, 192), new SimMode(1024, 768), new SimMode(1920, 1080) })
        {
            for (long frame = 0; frame < GuestScript.CycleLength; frame++)
            {
                GuestFrame f = GuestScript.At(frame, mode);
                Assert.InRange(f.BoxX, 0, f.Mode.Width - GuestScript.BoxSize);
                Assert.InRange(f.BoxY, 0, f.Mode.Height - GuestScript.BoxSize);
                Assert.InRange(f.CursorX, -GuestScript.CursorSize + 1, f.Mode.Width - 1); // always partly visible
                Assert.InRange(f.CursorY, -GuestScript.CursorSize + 1, f.Mode.Height - 1);
            }
        }
    }

    [Fact]
    public void Frame_AfterACycle_HasTheSameScriptButItsOwnCounter()
    {
        using var sim = Open("");
        byte[] a = sim.RenderPrimaryTruth(5, out _);
        byte[] b = sim.RenderPrimaryTruth(5 + GuestScript.CycleLength, out _);
        (int cx, int cy, int cw, int ch) = TestPattern.CounterRect;
        int differ = 0;
        for (int y = 0; y < 768; y++)
        {
            for (int x = 0; x < 1024; x++)
            {
                int i = (y * 1024 + x) * 4;
                if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2])
                {
                    Assert.True(x >= cx && x < cx + cw && y >= cy && y < cy + ch, $"({x}, {y}) differs outside the counter");
                    differ++;
                }
            }
        }

        Assert.True(differ > 0, "the counter shows 00000005 and 00000245");
    }
}
