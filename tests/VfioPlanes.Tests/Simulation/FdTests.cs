using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Simulation;

[CollectionDefinition(nameof(FdCountingCollection), DisableParallelization = true)]
public class FdCountingCollection
{
}

/// <summary>Counts the process's fds (<see cref="FdSnapshot"/>), so it runs alone.</summary>
[Collection(nameof(FdCountingCollection))]
public class FdTests
{
    [Theory]
    [InlineData("")]
    [InlineData("mbochs")]
    [InlineData("gvt")]
    [InlineData("mdpy")]
    public void Dispose_ClosesEveryFdTheDeviceOpened(string options)
    {
        var before = FdSnapshot.Take(collectFirst: false);
        uint kind = options == "mdpy" ? VFIO_GFX_PLANE_TYPE_REGION : VFIO_GFX_PLANE_TYPE_DMABUF;
        using (var sim = Open(options))
        {
            for (int frame = 0; frame < GuestScript.CycleLength + 10; frame++)
            {
                foreach (uint plane in new[] { Primary, Cursor })
                {
                    if (Query(sim, plane, out var info, kind) == 0 && info.size != 0 && kind == VFIO_GFX_PLANE_TYPE_DMABUF)
                    {
                        Assert.Equal(0, sim.GetGfxDmaBuf(info.dmabuf_id, out SafeFdHandle? fd));
                        fd!.Dispose();
                    }
                }
            }

            Assert.True(FdSnapshot.Take(collectFirst: false).Count > before.Count, "the device holds real fds while open");
        }

        var after = FdSnapshot.Take(collectFirst: false);
        Assert.True(after.Count == before.Count, after.Since(before));
    }

    [Fact]
    public void DmaBufFd_OutlivesTheDeviceAndStaysReadable()
    {
        SafeFdHandle? fd;
        uint size;
        using (var sim = Open(""))
        {
            Query(sim, Primary, out var info);
            size = info.size;
            Assert.Equal(0, sim.GetGfxDmaBuf(info.dmabuf_id, out fd));
        }

        using (fd)
        {
            string target = FdTarget(fd!);
            Assert.True(target.Contains("memfd:", StringComparison.Ordinal) || target.Contains("dmabuf", StringComparison.Ordinal), target);
            using SafeMappedRegion map = SafeMappedRegion.Map(fd!, 0, size, writable: false, "dma-buf");
            Assert.Equal(new byte[] { 255, 255, 255, 0 }, map.GetSpan().Slice(300 * 4096, 4).ToArray());
        }
    }

    [Fact]
    public void DeviceFile_IsAMemfd()
    {
        using var sim = Open("");
        RegionInfo(sim, VFIO_PCI_BAR0_REGION_INDEX, 32, out var bar0, out _);
        using SafeMappedRegion map = sim.Map((long)bar0.offset, 4096, writable: false);
        string maps = File.ReadAllText("/proc/self/maps");
        Assert.Contains("/memfd:sim", maps, StringComparison.Ordinal);
    }
}
