using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Tests.Discovery;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

[CollectionDefinition(nameof(FdCountingCollection), DisableParallelization = true)]
public sealed class FdCountingCollection
{
}

/// <summary>
/// Every failing open path closes what it opened before throwing: counted in /proc/self/fd,
/// alone (no other test opens files meanwhile).
/// </summary>
[Collection(nameof(FdCountingCollection))]
public sealed class OpenerFdLeakTests : IDisposable
{
    private const string Uuid = "1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab";
    private readonly FakeHost _host = new();

    private FakeSysfs Sysfs => _host.Sysfs;

    private string Dev => _host.Dev;

    public void Dispose() => _host.Dispose();

    [Fact]
    public void FailedOpens_LeaveNoDescriptorOpen()
    {
        Sysfs.AddParent("virtual/mbochs/mbochs", ("mbochs-small", "mbochs-small", "4 MB", "1"));
        Sysfs.AddMdev("virtual/mbochs/mbochs", Uuid, "mbochs-small", "mbochs", group: 3, cdev: "vfio0");
        Sysfs.AddPci("0000:01:00.0", "vfio-pci", group: 4, cdev: "vfio1");
        foreach (string node in new[] { "vfio/vfio", "vfio/3", "vfio/devices/vfio1", "iommu" })
        {
            string path = Path.Combine(Dev, node);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, string.Empty);
        }

        var tree = new SysfsTree(Sysfs.Root);
        using SafeFdHandle memfd = Interop.Libc.MemfdCreate("not-vfio", Interop.Libc.MFD_CLOEXEC);
        DeviceSpec[] specs =
        [
            DeviceSpec.Parse(Uuid),                          // group opened, GET_STATUS fails
            DeviceSpec.Parse("0000:01:00.0"),                // cdev and iommufd opened, BIND fails
            DeviceSpec.Parse("fd:" + memfd.Number),          // dup made, GET_INFO fails
        ];
        OpenAll(specs, tree);
        var before = FdSnapshot.Take(collectFirst: false);

        for (int i = 0; i < 20; i++)
        {
            OpenAll(specs, tree);
        }

        // No GC first: a handle left for the finalizer is a leak too.
        var after = FdSnapshot.Take(collectFirst: false);
        Assert.True(after.Count == before.Count, after.Since(before));
    }

    private void OpenAll(DeviceSpec[] specs, SysfsTree tree)
    {
        foreach (DeviceSpec spec in specs)
        {
            Assert.Throws<DeviceOpenException>(() => VfioDeviceOpener.Open(spec, tree, Dev, "/nonexistent-proc"));
        }
    }
}
