using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Capture;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Capture;

/// <summary>
/// The CPU composer on frames from the fake device, whose dma-buf <c>id</c> holds
/// <see cref="FakeVfioDevice.PatternByte"/> at each offset: every expected pixel is worked out
/// here from those bytes (XR24/AR24 are B, G, R, X/A in memory) and the "over" formula, without
/// the converter or the blender.
/// </summary>
public sealed class CpuCompositorTests : IDisposable
{
    private const uint PrimaryId = 1;
    private const uint CursorId = 2;

    private readonly FakeVfioDevice _fake = new() { Name = "sim:gvt" };
    private readonly FrameSource _source;
    private readonly Frame _frame = new();
    private readonly CpuCompositor _compositor = new();

    public CpuCompositorTests() => _source = new FrameSource(_fake.Open());

    public void Dispose() => _source.Dispose();

    // A cursor plane of the fake: AR24, w x h, at (x, y).
    private static vfio_device_gfx_plane_info Cursor(int x, int y, uint w = 4, uint h = 3) =>
        FakeVfioDevice.Plane(CursorId, w, h, fourcc: DrmFourcc.ARGB8888, x: x, y: y, hotX: 0, hotY: 0);

    private void Show(vfio_device_gfx_plane_info primary, vfio_device_gfx_plane_info? cursor)
    {
        _fake.SetPlane(PlaneType.Primary, primary);
        _fake.SetPlane(PlaneType.Cursor, cursor);
        _source.Next(_frame);
    }

    /// <summary>The RGBA of pixel (x, y) of a 32-bit plane of the fake; alpha 255 unless <paramref name="alpha"/>.</summary>
    private static (int R, int G, int B, int A) Source(uint id, int stride, int x, int y, bool alpha)
    {
        long o = ((long)y * stride) + (x * 4);
        return (FakeVfioDevice.PatternByte(id, o + 2), FakeVfioDevice.PatternByte(id, o + 1), FakeVfioDevice.PatternByte(id, o), alpha ? FakeVfioDevice.PatternByte(id, o + 3) : 255);
    }

    private static int Over(int src, int dst, int a) => ((src * a) + (dst * (255 - a)) + 127) / 255;

    /// <summary>The screen as a monitor shows it: the primary (opaque unless keepAlpha), the cursor over it where it lands.</summary>
    private static byte[] Expected(int width, int height, bool primaryAlpha, (int X, int Y, int W, int H)? cursor)
    {
        byte[] screen = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                (int r, int g, int b, int a) = Source(PrimaryId, width * 4, x, y, primaryAlpha);
                if (cursor is { } c && x >= c.X && x < c.X + c.W && y >= c.Y && y < c.Y + c.H)
                {
                    (int cr, int cg, int cb, int ca) = Source(CursorId, c.W * 4, x - c.X, y - c.Y, alpha: true);
                    (r, g, b, a) = (Over(cr, r, ca), Over(cg, g, ca), Over(cb, b, ca), Over(255, a, ca));
                }

                screen[((y * width) + x) * 4] = (byte)r;
                screen[(((y * width) + x) * 4) + 1] = (byte)g;
                screen[(((y * width) + x) * 4) + 2] = (byte)b;
                screen[(((y * width) + x) * 4) + 3] = (byte)a;
            }
        }

        return screen;
    }

    private void AssertScreen(int width, int height, byte[] expected)
    {
        Assert.Equal((width, height, width * 4), (_compositor.Width, _compositor.Height, _compositor.Stride));
        Assert.Equal(expected, _compositor.Screen.ToArray());
    }

    [Theory]
    [InlineData(-2, -1)] // hangs off the top left
    [InlineData(-4, 0)]  // wholly off the left edge: nothing of it shows
    [InlineData(6, 4)]   // hangs off the bottom right
    [InlineData(3, 2)]   // wholly inside
    [InlineData(8, 6)]   // starts just past the bottom right corner
    public void Compose_BlendsTheCursorWhereItLands_ClippedAtEveryEdge(int x, int y)
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(x, y));

        _compositor.Compose(_frame);

        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, (x, y, 4, 3)));
    }

    [Fact]
    public void Compose_DisabledCursor_IsThePrimaryAlone()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), cursor: null);

        _compositor.Compose(_frame);

        Assert.False(_frame.DrawsCursor);
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, cursor: null));
    }

    [Fact]
    public void Compose_WithoutCursor_LeavesAShownCursorOut()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(1, 1));

        _compositor.Compose(_frame, withCursor: false);

        Assert.True(_frame.DrawsCursor);
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, cursor: null));
    }

    [Fact]
    public void Compose_CursorQueryFailingForAMoment_KeepsTheLastGoodCursor()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(2, 1));
        _fake.QueryErrors[PlaneType.Cursor].Enqueue(Errno.EAGAIN);
        _fake.SetPlane(PlaneType.Cursor, Cursor(5, 5)); // not seen: the query fails

        _source.Next(_frame);
        _compositor.Compose(_frame);

        Assert.Equal(PlaneStatus.Transient, _frame.Cursor.Status);
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, (2, 1, 4, 3)));
    }

    [Fact]
    public void Compose_CursorTheChecksRefuse_IsLeftOut_NotDrawnFromTheLastGoodAnswer()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(2, 1));
        _fake.SetPlane(PlaneType.Cursor, Cursor(2, 1, w: 600, h: 3)); // wider than any cursor

        _source.Next(_frame);
        _compositor.Compose(_frame);

        Assert.Equal(PlaneStatus.Invalid, _frame.Cursor.Status);
        Assert.True(_frame.Cursor.IsShown); // the last good buffer is still held...
        Assert.False(_frame.DrawsCursor);   // ...but not drawn
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, cursor: null));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compose_Ar24Primary_IsOpaqueUnlessKeepAlpha_AndTheCursorBlendsOverEither(bool keepAlpha)
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6, fourcc: DrmFourcc.ARGB8888), Cursor(-1, 2));

        _compositor.Compose(_frame, keepAlpha: keepAlpha);

        byte[] expected = Expected(8, 6, primaryAlpha: keepAlpha, (-1, 2, 4, 3));
        AssertScreen(8, 6, expected);
        Assert.Equal(!keepAlpha, expected.Where((_, i) => i % 4 == 3).All(a => a == 255)); // the pattern has alpha to keep
    }

    [Fact]
    public void Compose_ModeChanges_GrowAndShrinkTheScreen_AndASteadyModeAllocatesNothing()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(6, 4));
        _compositor.Compose(_frame);
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, (6, 4, 4, 3)));

        Show(FakeVfioDevice.Plane(PrimaryId, 24, 16), Cursor(20, 14, w: 8, h: 8)); // a larger mode and cursor
        _compositor.Compose(_frame);
        AssertScreen(24, 16, Expected(24, 16, primaryAlpha: false, (20, 14, 8, 8)));

        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(-1, -1)); // back: the larger buffers serve
        _compositor.Compose(_frame);
        AssertScreen(8, 6, Expected(8, 6, primaryAlpha: false, (-1, -1, 4, 3)));

        (long least, string counts) = Allocations.Least(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                _compositor.Compose(_frame);
            }
        });
        Assert.True(least == 0, counts);
    }

    [Fact]
    public void Compose_ALayoutTheConverterRefuses_NamesThePlane_WithTheConvertersReason()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 128, 32, modifier: DrmModifier.I915YfTiled), cursor: null);

        PlaneConversionException e = Assert.Throws<PlaneConversionException>(() => _compositor.Compose(_frame));

        Assert.Equal(PlaneType.Primary, e.Plane.Plane);
        Assert.Equal(DrmModifier.I915YfTiled, e.Plane.Modifier);
        Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
        Assert.StartsWith("primary plane: ", e.Message);
        Assert.DoesNotContain("(Parameter", e.Reason());
        Assert.Contains(e.Reason(), e.Message);
    }

    [Fact]
    public void Compose_KeepsTheRawBytesOfTheSameRead_PrimaryAndCursor()
    {
        Show(FakeVfioDevice.Plane(PrimaryId, 8, 6), Cursor(1, 1));
        var raw = new RawCapture();
        string dir = Directory.CreateTempSubdirectory("vgpuview-compose-").FullName;
        try
        {
            _compositor.Compose(_frame, raw: raw);
            raw.Write(Path.Combine(dir, "x.png"));

            byte[] primary = File.ReadAllBytes(Path.Combine(dir, "x.raw"));
            byte[] cursor = File.ReadAllBytes(Path.Combine(dir, "x.cursor.raw"));
            Assert.Equal(Enumerable.Range(0, 8 * 6 * 4).Select(i => FakeVfioDevice.PatternByte(PrimaryId, i)), primary);
            Assert.Equal(Enumerable.Range(0, 4 * 3 * 4).Select(i => FakeVfioDevice.PatternByte(CursorId, i)), cursor);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
