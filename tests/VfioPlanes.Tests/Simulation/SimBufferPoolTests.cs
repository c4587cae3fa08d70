using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>The buffer pool on its own: layouts of the buffers it makes, and what each retention keeps across a mode change.</summary>
public class SimBufferPoolTests
{
    private static readonly SimMode s_a = new(320, 200);
    private static readonly SimMode s_b = new(256, 192);

    [Fact]
    public void Primary_LinearXr24_HasFourBytesAPixel_AndAMemfdOfWholePages()
    {
        using var pool = new SimBufferPool(cpuMappable: true, udmabufPath: "/nonexistent/udmabuf");
        SimBuffer b = pool.Primary(Frame(s_a, 0), DrmFourcc.XRGB8888, DrmModifier.Linear, SimBufferRetention.FreeOldModes);

        // 320 * 4 = 1280 bytes a row, 1280 * 200 = 256,000 bytes: 62.5 pages, so 63 pages of memfd.
        Assert.Equal((1u, 320, 200, 1280, 256_000u, 63L * 4096), (b.Id, b.Width, b.Height, b.Stride, b.Size, b.Length));
        Assert.Same(b, pool.Primary(Frame(s_a, 0), DrmFourcc.XRGB8888, DrmModifier.Linear, SimBufferRetention.FreeOldModes));
    }

    [Fact]
    public void Primary_XTiled_RoundsTheStrideToTilesAndTheHeightToTileRows()
    {
        using var pool = new SimBufferPool(cpuMappable: true, udmabufPath: "/nonexistent/udmabuf");
        SimBuffer b = pool.Primary(Frame(new SimMode(300, 196), 0), DrmFourcc.XRGB8888, DrmModifier.I915XTiled, SimBufferRetention.FreeOldModes);

        // An X tile is 512 bytes by 8 rows: 1200 bytes a row round up to 1536, 196 rows to 200.
        Assert.Equal((1536, 1536u * 200), (b.Stride, b.Size));
    }

    [Theory]
    [InlineData((int)SimBufferRetention.FreeOldModes, new uint[] { 3, 4 }, new uint[] { 5, 6 }, 2)]
    [InlineData((int)SimBufferRetention.FreeOldModesReuseIds, new uint[] { 1, 2 }, new uint[] { 1, 2 }, 2)]
    [InlineData((int)SimBufferRetention.KeepEveryMode, new uint[] { 3, 4 }, new uint[] { 1, 2 }, 4)]
    public void ModeChange_KeepsOrFreesTheOldModesBuffers(int retentionValue, uint[] idsInB, uint[] idsBackInA, int count)
    {
        var retention = (SimBufferRetention)retentionValue;
        using var pool = new SimBufferPool(cpuMappable: true, udmabufPath: "/nonexistent/udmabuf");
        uint[] Ids(SimMode mode) =>
            [pool.Primary(Frame(mode, 0), DrmFourcc.XRGB8888, DrmModifier.Linear, retention).Id,
             pool.Primary(Frame(mode, 1), DrmFourcc.XRGB8888, DrmModifier.Linear, retention).Id];

        Assert.Equal([1u, 2u], Ids(s_a));
        Assert.Equal(idsInB, Ids(s_b));
        Assert.Equal(count, pool.Count);
        Assert.Equal(idsBackInA, Ids(s_a));
        Assert.Equal(count, pool.Count);
        Assert.Null(pool.Find(99));
    }

    [Fact]
    public void Cursors_AreTwo64x64Argb8888Shapes_AfterThePrimariesIds()
    {
        using var pool = new SimBufferPool(cpuMappable: true, udmabufPath: "/nonexistent/udmabuf");
        Assert.False(pool.HasCursors);
        pool.Primary(Frame(s_a, 0), DrmFourcc.XRGB8888, DrmModifier.Linear, SimBufferRetention.FreeOldModes);
        pool.AddCursors();

        Assert.True(pool.HasCursors);
        for (int shape = 0; shape < 2; shape++)
        {
            SimBuffer c = pool.Cursor(shape);
            Assert.Equal((2u + (uint)shape, DrmFourcc.ARGB8888, 64, 64, 256, 16_384u), (c.Id, c.Fourcc, c.Width, c.Height, c.Stride, c.Size));
            Assert.Same(c, pool.Find(c.Id));
        }

        Assert.Equal(3, pool.Count);
    }

    [Fact]
    public void Export_WithoutUdmabuf_IsANewDuplicateOfTheMemfdEachTime()
    {
        using var pool = new SimBufferPool(cpuMappable: true, udmabufPath: "/nonexistent/udmabuf");
        Assert.False(pool.UsesUdmabuf);
        SimBuffer b = pool.Primary(Frame(s_a, 0), DrmFourcc.XRGB8888, DrmModifier.Linear, SimBufferRetention.FreeOldModes);
        b.Pixels[5] = 0xA7;

        Assert.Equal(0, pool.Export(b, out SafeFdHandle? first));
        Assert.Equal(0, pool.Export(b, out SafeFdHandle? second));
        using (first)
        using (second)
        {
            Assert.NotEqual(first!.Number, second!.Number);
            Assert.StartsWith("/memfd:sim-primary-1", FdTarget(first), StringComparison.Ordinal);
            using SafeMappedRegion map = SafeMappedRegion.Map(second, 0, b.Length, writable: false, "test");
            Assert.Equal(0xA7, map.GetSpan()[5]);
        }
    }

    private static GuestFrame Frame(SimMode mode, int slot) =>
        new(Frame: 0, Enabled: true, Mode: mode, Slot: slot, FirstAfterModeChange: false, BoxX: 0, BoxY: 0, CursorX: 0, CursorY: 0, CursorShape: 0, CursorHotspotHidden: false);
}
