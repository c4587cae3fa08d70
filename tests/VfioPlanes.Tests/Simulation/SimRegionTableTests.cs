using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Simulation;
using Xunit;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Tests.Simulation;

/// <summary>The region table on its own: where each region lies in the device file, and which region an access falls in.</summary>
public class SimRegionTableTests
{
    private const long Bar0 = 16 << 20;

    [Fact]
    public void WithEdid_TheFileEndsAfterRegion9_AndNumRegionsCountsIt()
    {
        var table = new SimRegionTable(Bar0, hasEdid: true, displayRegion: null);

        // Region 9 starts at 9 << 28 and is 4 KiB long.
        Assert.Equal((9L << 28) + 4096, table.FileLength);
        Assert.Equal(10u, table.DeviceRegionCount);
        Assert.True(table.TryGet(9, out SimRegion edid));
        Assert.True(edid.Edid);
        Assert.True(table.TryFind((9L << 28) + 0x100, 128, out SimRegion found));
        Assert.Equal(9u, found.Index);
    }

    [Fact]
    public void DisplayRegion_AliasesBar0_ButIsNotCounted_AndNoAccessFallsInIt()
    {
        var table = new SimRegionTable(3 << 20, hasEdid: false, displayRegion: 16);

        Assert.Equal(16u, table.DisplayRegion);
        // The last region with bytes is the config space (index 7); the VGA region 8 is empty but starts at 8 << 28.
        Assert.Equal(8L << 28, table.FileLength);
        Assert.Equal(9u, table.DeviceRegionCount);
        Assert.True(table.TryGet(16, out SimRegion display));
        Assert.True(table.TryGet(VFIO_PCI_BAR0_REGION_INDEX, out SimRegion bar0));
        Assert.Equal((bar0.Offset, bar0.Size, bar0.Flags), (display.Offset, display.Size, display.Flags));
        Assert.True(table.TryFind(4096, 4096, out SimRegion found));
        Assert.Equal(VFIO_PCI_BAR0_REGION_INDEX, found.Index);
    }

    [Theory]
    [InlineData(0L, 1L << 24, true)]          // all of BAR0
    [InlineData(1L, 1L << 24, false)]         // one byte past its end
    [InlineData(2L << 28, 4096L, true)]       // BAR2
    [InlineData(2L << 28, 4097L, false)]
    [InlineData(7L << 28, 256L, true)]        // config space
    [InlineData(1L << 28, 1L, false)]         // BAR1 is empty
    [InlineData(0L, -1L, false)]
    public void TryFind_OnlyAnAccessWhollyInsideOneRegion(long offset, long length, bool found)
    {
        var table = new SimRegionTable(Bar0, hasEdid: true, displayRegion: null);
        Assert.Equal(found, table.TryFind(offset, length, out _));
    }

    [Theory]
    [InlineData(48u, 48u, 0)]
    [InlineData(49u, 48u, Errno.EINVAL)]
    [InlineData(64u, uint.MaxValue, 0)]
    public void GetInfo_RefusesAnArgszOverTheLimit(uint argsz, uint limit, int expected)
    {
        var table = new SimRegionTable(Bar0, hasEdid: true, displayRegion: null);
        byte[] buffer = new byte[argsz];
        var request = new vfio_region_info { argsz = argsz, index = VFIO_PCI_BAR2_REGION_INDEX };
        MemoryMarshal.Write(buffer, in request);

        Assert.Equal(expected, table.GetInfo(buffer, limit));
        if (expected == 0)
        {
            vfio_region_info info = MemoryMarshal.Read<vfio_region_info>(buffer);
            Assert.Equal((2ul << 28, 4096ul, 0u), (info.offset, info.size, info.cap_offset));
        }
    }
}
