using System.Buffers.Binary;
using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.VfioPlanes.Tests.Fakes;
using Xunit;
using static Interop.Vfio;
using static VgpuView.VfioPlanes.Tests.Simulation.SimTestSupport;

namespace VgpuView.VfioPlanes.Tests.Edid;

public class EdidWriterTests
{
    private const long RegionOffset = 0x10000;

    [Fact]
    public void Present_OnMbochs_SwitchesTheGuestToThePreferredMode()
    {
        SimulatedVgpu sim = Open("mbochs");
        using var device = new VgpuDevice(sim, "sim:mbochs");
        Assert.True(EdidBuilder.TryForMode(1280, 720, 60, "test", out byte[]? blob, out _));

        EdidRegionState after = EdidWriter.Present(device, blob, TimeSpan.Zero);

        Assert.Equal(EdidLink.Up, after.Link);
        Assert.Equal(128u, after.EdidSize);
        Assert.Equal("test", after.Block!.Name);
        // mbochs: the first query after the mode change fails ENOMEM, the next shows the new mode.
        Assert.Equal(Errno.ENOMEM, Query(sim, Primary, out _));
        Assert.Equal(0, Query(sim, Primary, out var plane));
        Assert.Equal((1280u, 720u), (plane.width, plane.height));
    }

    [Fact]
    public void Present_WritesInQemusOrder_LinkDownSizeBlobLinkUp()
    {
        var fake = FakeWithEdid();
        using VgpuDevice device = fake.Open();
        fake.Writes.Clear();

        EdidWriter.Present(device, EdidSamples.Dmt1024x768(), TimeSpan.Zero);

        Assert.Equal(
            [(RegionOffset + 20, 4), (RegionOffset + 8, 4), (RegionOffset + 0x100, 128), (RegionOffset + 20, 4)],
            fake.Writes);
        EdidRegionState state = EdidRegionState.Read(device)!;
        Assert.Equal(EdidLink.Up, state.Link);
        Assert.Equal("RHT", state.Block!.Vendor);
    }

    [Fact]
    public void Present_BringsTheLinkUpOnlyAfterTheWait_ThatFollowsTheBlob()
    {
        var fake = FakeWithEdid();
        using VgpuDevice device = fake.Open();
        fake.WriteLog.Clear();
        byte[] blob = EdidSamples.Dmt1024x768();
        var wait = TimeSpan.FromMilliseconds(150);

        EdidWriter.Present(device, blob, wait);

        // What was written, in order: link_state DOWN (2), edid_size, the blob, then link_state UP (1).
        var log = fake.WriteLog;
        Assert.Equal([RegionOffset + 20, RegionOffset + 8, RegionOffset + 0x100, RegionOffset + 20], log.Select(w => w.Offset));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(log[0].Bytes));
        Assert.Equal(128u, BinaryPrimitives.ReadUInt32LittleEndian(log[1].Bytes));
        Assert.Equal(blob, log[2].Bytes);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(log[3].Bytes));

        // The guest sees the link come up no sooner than the wait after the new EDID is in place.
        TimeSpan blobToLinkUp = System.Diagnostics.Stopwatch.GetElapsedTime(log[2].Timestamp, log[3].Timestamp);
        Assert.True(blobToLinkUp >= wait, $"link up {blobToLinkUp.TotalMilliseconds:F1} ms after the blob, expected at least {wait.TotalMilliseconds} ms");
        Assert.True(log[0].Timestamp <= log[1].Timestamp && log[1].Timestamp <= log[2].Timestamp);
    }

    [Fact]
    public void Present_RefusesABlobThatIsNotAValidEdid_WritingNothing()
    {
        var fake = FakeWithEdid();
        using VgpuDevice device = fake.Open();
        fake.Writes.Clear();
        byte[] badChecksum = EdidSamples.Dmt1024x768();
        badChecksum[127] ^= 1;
        // Two empty extension blocks (all zero bytes sum to 0): 384 bytes > edid_max_size 256.
        byte[] tooBig = [.. EdidSamples.Dmt1024x768(), .. new byte[0x100]];
        tooBig[126] = 2;
        tooBig[127] = EdidSamples.Checksum(tooBig);
        byte[] badExtension = [.. EdidSamples.Dmt1024x768(), .. new byte[128]];
        badExtension[126] = 1;
        badExtension[127] = EdidSamples.Checksum(badExtension);
        badExtension[255] = 1;

        Assert.Contains("the checksum of block 1 (extension 1 of 1) is wrong", Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, badExtension, TimeSpan.Zero)).Message);
        Assert.Contains("declares no extension blocks", Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, [.. EdidSamples.Dmt1024x768(), .. new byte[128]], TimeSpan.Zero)).Message);
        Assert.Contains("the checksum of block 0 (the base block) is wrong", Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, badChecksum, TimeSpan.Zero)).Message);
        Assert.Contains("not an EDID", Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, new byte[128], TimeSpan.Zero)).Message);
        Assert.Contains("at most edid_max_size 256", Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, tooBig, TimeSpan.Zero)).Message);
        Assert.Empty(fake.Writes);
    }

    [Fact]
    public void SetLink_WritesOnlyTheLinkState()
    {
        var fake = FakeWithEdid();
        using VgpuDevice device = fake.Open();
        fake.Writes.Clear();

        Assert.Equal(EdidLink.Down, EdidWriter.SetLink(device, up: false).Link);
        Assert.Equal(EdidLink.Up, EdidWriter.SetLink(device, up: true).Link);
        Assert.Equal([(RegionOffset + 20, 4), (RegionOffset + 20, 4)], fake.Writes);
    }

    [Fact]
    public void DeviceWithoutAnEdidRegion_IsAnIOExceptionSayingSo()
    {
        using var device = new VgpuDevice(Open("mdpy"), "sim:mdpy");
        var e = Assert.Throws<IOException>(() => EdidWriter.SetLink(device, up: true));
        Assert.Equal("sim:mdpy has no EDID region (no region with the GFX/EDID type capability): its monitor cannot be set from here", e.Message);
    }

    [Fact]
    public void Present_AnEdidWithMoreExtensionBlocksThanTheRegionHolds_IsRefused()
    {
        // 31 blocks (3968 bytes) against the sim's edid_max_size of 3840.
        using var device = new VgpuDevice(Open(""), "sim");
        byte[] blob = [.. EdidSamples.Dmt1024x768(), .. new byte[128 * 30]];
        blob[126] = 30;
        blob[127] = EdidSamples.Checksum(blob);

        var e = Assert.Throws<InvalidDataException>(() => EdidWriter.Present(device, blob, TimeSpan.Zero));
        Assert.Equal("the EDID to write is 3968 bytes; sim's EDID region 9 takes at most edid_max_size 3840", e.Message);
    }

    [Fact]
    public void Present_OnAGvtHeader_WritesTheBlobAtItsOffsetPastTheReportedRegionSize()
    {
        // i915 GVT-g: a region reported as 128 bytes, the blob at 2048, edid_max_size 128.
        var fake = FakeWithEdid(regionSize: 128, edidOffset: 2048, edidMaxSize: 128, edidSize: 128);
        using VgpuDevice device = fake.Open();
        fake.Writes.Clear();

        EdidRegionState after = EdidWriter.Present(device, EdidSamples.Dmt1024x768(), TimeSpan.Zero);

        Assert.Equal(
            [(RegionOffset + 20, 4), (RegionOffset + 8, 4), (RegionOffset + 2048, 128), (RegionOffset + 20, 4)],
            fake.Writes);
        Assert.Null(after.Problem);
        Assert.Equal(EdidLink.Up, after.Link);
        Assert.Equal("RHT", after.Block!.Vendor);
    }

    private static FakeVfioDevice FakeWithEdid(ulong regionSize = 0x1000, uint edidOffset = 0x100, uint edidMaxSize = 0x100, uint edidSize = 0)
    {
        var fake = new FakeVfioDevice { DeviceInfo = new() { flags = VFIO_DEVICE_FLAGS_PCI, num_regions = 10, num_irqs = 5 } };
        fake.Regions[9] = new FakeRegion { Size = regionSize, Offset = RegionOffset, Caps = CapBytes.Type(0, VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID) };
        byte[] header = new byte[24];
        uint[] words = [edidOffset, edidMaxSize, edidSize, 2560, 1600, 0];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(i * 4), words[i]);
        }

        Assert.Equal(0, fake.Write(header, RegionOffset, out _));
        return fake;
    }
}
