using VgpuView.VfioPlanes.Pixels;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Pixels;

public class NeedleTests
{
    private const int ScreenW = 37, ScreenH = 21;

    private static byte[] Screen(int seed)
    {
        byte[] s = new byte[ScreenW * ScreenH * 4];
        new Random(seed).NextBytes(s);
        for (int i = 3; i < s.Length; i += 4)
        {
            s[i] = 255;
        }

        return s;
    }

    // The needle cut from the screen at (x, y), w x h.
    private static byte[] Cut(byte[] screen, int x, int y, int w, int h)
    {
        byte[] n = new byte[w * h * 4];
        for (int row = 0; row < h; row++)
        {
            Array.Copy(screen, (((y + row) * ScreenW) + x) * 4, n, row * w * 4, w * 4);
        }

        return n;
    }

    [Fact]
    public void ACutOfTheScreen_MatchesWhereItWasCut()
    {
        byte[] screen = Screen(1);
        var needle = new Needle(Cut(screen, 5, 3, 19, 11), 19, 11, 5, 3, null);

        NeedleResult r = needle.Compare(screen, ScreenW, ScreenH, ScreenW * 4, tolerance: 0);

        Assert.Equal(new NeedleResult(true, 19 * 11, 0, -1, -1, 0, 0), r);
        Assert.True(r.Matches(0));
    }

    [Fact]
    public void ChangedPixels_AreCountedAndTheFirstIsNamed()
    {
        byte[] screen = Screen(2);
        var needle = new Needle(Cut(screen, 0, 0, ScreenW, ScreenH), ScreenW, ScreenH, 0, 0, null);
        // Three pixels changed: (30, 2) red by 9, (4, 7) blue by 1, (36, 20) alpha only (not compared).
        screen[((2 * ScreenW) + 30) * 4] ^= 9;
        screen[(((7 * ScreenW) + 4) * 4) + 2] ^= 1;
        screen[(((20 * ScreenW) + 36) * 4) + 3] = 0;
        uint expectedScreen = ((uint)screen[((2 * ScreenW) + 30) * 4] << 16) | ((uint)screen[(((2 * ScreenW) + 30) * 4) + 1] << 8) | screen[(((2 * ScreenW) + 30) * 4) + 2];

        NeedleResult exact = needle.Compare(screen, ScreenW, ScreenH, ScreenW * 4, tolerance: 0);

        Assert.Equal(2, exact.Differing);
        Assert.Equal((30, 2), (exact.FirstX, exact.FirstY));
        Assert.Equal(expectedScreen, exact.ScreenRgb);
        Assert.Equal(expectedScreen ^ (9u << 16), exact.NeedleRgb);
        Assert.False(exact.Matches(1));
        Assert.True(exact.Matches(2));
    }

    [Fact]
    public void Tolerance_AllowsThatMuchPerChannel()
    {
        byte[] screen = Screen(3);
        byte[] n = Cut(screen, 0, 0, ScreenW, ScreenH);
        for (int i = 0; i < n.Length; i += 4)
        {
            n[i + 1] = (byte)Math.Clamp(n[i + 1] + ((i / 4) % 2 == 0 ? 3 : -3), 0, 255);
        }

        var needle = new Needle(n, ScreenW, ScreenH, 0, 0, null);

        // Pixels whose green was at 0 or 255 moved by less than 3; count by hand which moved exactly 3.
        int movedBy3 = 0;
        for (int i = 0; i < n.Length; i += 4)
        {
            movedBy3 += Math.Abs(n[i + 1] - screen[i + 1]) == 3 ? 1 : 0;
        }

        Assert.Equal(movedBy3, needle.Compare(screen, ScreenW, ScreenH, ScreenW * 4, tolerance: 2).Differing);
        Assert.Equal(0, needle.Compare(screen, ScreenW, ScreenH, ScreenW * 4, tolerance: 3).Differing);
    }

    [Fact]
    public void TransparentNeedlePixelsAndPixelsOutsideTheAreas_AreNotCompared()
    {
        byte[] screen = Screen(4);
        byte[] other = Screen(5); // differs almost everywhere
        byte[] n = Cut(other, 0, 0, 10, 10);
        for (int i = 3; i < n.Length; i += 4)
        {
            n[i] = 0; // all transparent ...
        }

        byte[] own = Cut(screen, 2, 2, 10, 10);
        for (int row = 4; row < 6; row++)
        {
            for (int col = 1; col < 9; col++)
            {
                int i = ((row * 10) + col) * 4;
                Array.Copy(own, i, n, i, 4); // ... but a 8x2 band that is the screen's own
            }
        }

        var masked = new Needle(n, 10, 10, 2, 2, null);
        Assert.Equal(16, masked.Cared);
        Assert.Equal(0, masked.Compare(screen, ScreenW, ScreenH, ScreenW * 4, 0).Differing);

        byte[] wrong = Cut(other, 0, 0, 10, 10);
        Array.Copy(Cut(screen, 2, 2, 10, 10), 0, wrong, 0, 10 * 4 * 3); // rows 0-2 the screen's own
        var area = new Needle(wrong, 10, 10, 2, 2, [new NeedleArea(0, 0, 10, 3)]);
        Assert.Equal(30, area.Cared);
        Assert.Equal(0, area.Compare(screen, ScreenW, ScreenH, ScreenW * 4, 0).Differing);
        Assert.True(new Needle(wrong, 10, 10, 2, 2, null).Compare(screen, ScreenW, ScreenH, ScreenW * 4, 0).Differing > 50);
    }

    [Fact]
    public void ANeedleThatDoesNotFitTheScreen_DoesNotMatch()
    {
        byte[] screen = Screen(6);
        var needle = new Needle(new byte[10 * 10 * 4].Select(_ => (byte)255).ToArray(), 10, 10, 30, 0, null);

        NeedleResult r = needle.Compare(screen, ScreenW, ScreenH, ScreenW * 4, 0);

        Assert.False(r.Fits);
        Assert.False(r.Matches(long.MaxValue));
    }

    [Fact]
    public void VectorAndScalarCounts_AgreeWithANaiveCount()
    {
        // Widths around the 8-pixel vector step, a stride with padding, random tolerances.
        var random = new Random(7);
        for (int w = 1; w <= 19; w++)
        {
            int h = 3, stride = (w * 4) + 12;
            byte[] screen = new byte[stride * h];
            byte[] n = new byte[w * h * 4];
            random.NextBytes(screen);
            random.NextBytes(n);
            for (int i = 0; i < n.Length; i += 4)
            {
                n[i + 3] = (byte)(random.Next(4) == 0 ? 0 : 255);
                if (random.Next(3) == 0)
                {
                    int s = ((i / 4 / w) * stride) + ((i / 4 % w) * 4);
                    n[i] = screen[s];
                    n[i + 1] = screen[s + 1];
                    n[i + 2] = (byte)Math.Clamp(screen[s + 2] + random.Next(-5, 6), 0, 255);
                }
            }

            int tolerance = random.Next(0, 6);
            long naive = 0;
            for (int p = 0; p < w * h; p++)
            {
                int s = ((p / w) * stride) + ((p % w) * 4);
                bool differs = Math.Abs(screen[s] - n[p * 4]) > tolerance || Math.Abs(screen[s + 1] - n[(p * 4) + 1]) > tolerance || Math.Abs(screen[s + 2] - n[(p * 4) + 2]) > tolerance;
                naive += n[(p * 4) + 3] != 0 && differs ? 1 : 0;
            }

            Assert.Equal(naive, new Needle(n, w, h, 0, 0, null).Compare(screen, w, h, stride, tolerance).Differing);
        }
    }

    [Theory]
    [InlineData(-1, 0, 2, 2, "does not lie inside")]
    [InlineData(0, 0, 11, 2, "does not lie inside")]
    [InlineData(0, 0, 0, 2, "does not lie inside")]
    public void AreasOutsideTheNeedle_AreRefused(int x, int y, int w, int h, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new Needle(new byte[400], 10, 10, 0, 0, [new NeedleArea(x, y, w, h)]));
        Assert.Contains(message, e.Message);
    }
}
