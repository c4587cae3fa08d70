using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Png;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Png;

/// <summary>Allocation counts taken over the whole process, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(PngAllocationCollection), DisableParallelization = true)]
public sealed class PngAllocationCollection
{
}

/// <summary>
/// A series of same-sized images through one <see cref="PngWriter"/> allocates nothing after the
/// first, in one piece or in several compressed on pool threads. The pieces allocate on those
/// threads, so the count is the process's (precise), taken while no other test runs; the least
/// of three windows leaves out the runtime's own occasional allocations (see Allocations).
/// </summary>
[Collection(nameof(PngAllocationCollection))]
public sealed class PngAllocationTests
{
    private static byte[] Image(int width, int height)
    {
        var random = new Random(width + height);
        byte[] rgba = new byte[width * height * 4];
        random.NextBytes(rgba);
        for (int i = 3; i < rgba.Length; i += 4)
        {
            rgba[i] = 255;
        }

        // Flat bands too, so each piece has runs to find as well as noise.
        rgba.AsSpan(0, rgba.Length / 3).Fill(0xFF);
        return rgba;
    }

    [Theory]
    [InlineData(64, 48, 0, 1, PngFilter.Up)]         // tiny: one piece, on the calling thread alone
    [InlineData(640, 480, 4, 2, PngFilter.Up)]       // four pieces on pool threads and the caller
    [InlineData(640, 480, 7, 6, PngFilter.Adaptive)]
    public void SameSizedSeries_AllocatesNothingPerImage(int width, int height, int pieces, int level, PngFilter filter)
    {
        byte[] rgba = Image(width, height);
        var writer = new PngWriter { Pieces = pieces };
        var options = new PngOptions { CompressionLevel = level, Filter = filter };
        var output = new MemoryStream(width * height * 8);
        void Series(int images)
        {
            for (int i = 0; i < images; i++)
            {
                output.SetLength(0);
                writer.Write(output, rgba, width, height, width * 4, options);
            }
        }

        Series(50); // buffers sized, code tiered up, pool threads started
        (long least, string counts) = Allocations.LeastInProcess(() => Series(30));
        Assert.True(least == 0, "30 images a window, " + counts);
        Assert.True(output.Length > 0);
    }
}
