using VgpuView.VfioPlanes.Devices;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Devices;

public class GroupHoldersTests
{
    [Fact]
    public void Find_FakeProc_NamesEveryHolderWithItsCommand()
    {
        string proc = Directory.CreateTempSubdirectory("vgpuview-proc-").FullName;
        try
        {
            AddProcess(proc, 1234, "qemu-system-x86", ("3", "/dev/null"), ("27", "/dev/vfio/12"));
            AddProcess(proc, 99, "bash", ("0", "/dev/pts/1"), ("4", "/dev/vfio/vfio"));
            AddProcess(proc, 4321, null, ("5", "/dev/vfio/12"));
            AddProcess(proc, 77, "other", ("5", "/dev/vfio/123"));
            Directory.CreateDirectory(Path.Combine(proc, "555"));   // exited: no fd directory
            Directory.CreateDirectory(Path.Combine(proc, "sys", "fd"));
            File.CreateSymbolicLink(Path.Combine(proc, "sys", "fd", "1"), "/dev/vfio/12"); // not a pid

            IReadOnlyList<GroupHolder> holders = GroupHolders.Find("/dev/vfio/12", proc);

            Assert.Equal([new GroupHolder(1234, "qemu-system-x86"), new GroupHolder(4321, null)], holders);
            Assert.Equal("pid 1234 (qemu-system-x86)", holders[0].ToString());
            Assert.Equal("pid 4321", holders[1].ToString());
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }

    [Fact]
    public void BusyMessage_GroupFreeButCdevBound_NamesTheCdevAndItsHolder()
    {
        // drivers/vfio/group.c: a device bound through its cdev makes its group's open fail
        // with EBUSY although no process holds the group.
        string proc = Directory.CreateTempSubdirectory("vgpuview-proc-").FullName;
        try
        {
            AddProcess(proc, 321, "guest", ("6", "/dev/vfio/devices/vfio2"), ("7", "/dev/iommu"));

            string message = VfioDeviceOpener.BusyMessage("/dev/vfio/12", "the IOMMU group", proc, "/dev/vfio/devices/vfio2");

            Assert.Equal("/dev/vfio/12 (the IOMMU group) is busy: the device is bound through its cdev /dev/vfio/devices/vfio2, held by pid 321 (guest), "
                + "and a device opens through its group or its cdev, not both: stop that process, or have it pass the device fd to this one (fd:N)", message);
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }

    [Fact]
    public void BusyMessage_GroupHeld_NamesTheGroupsHolderEvenWithACdev()
    {
        string proc = Directory.CreateTempSubdirectory("vgpuview-proc-").FullName;
        try
        {
            AddProcess(proc, 1234, "qemu-system-x86", ("27", "/dev/vfio/12"));

            string message = VfioDeviceOpener.BusyMessage("/dev/vfio/12", "the IOMMU group", proc, "/dev/vfio/devices/vfio2");

            Assert.Equal("/dev/vfio/12 (the IOMMU group) is busy: held by pid 1234 (qemu-system-x86). A VFIO group can be open in one process at a time: "
                + "stop that process, or have it pass the device fd to this one (fd:N)", message);
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }

    [Fact]
    public void Find_MissingProcRoot_FindsNobody()
    {
        Assert.Empty(GroupHolders.Find("/dev/vfio/12", "/nonexistent-proc-root"));
    }

    [Fact]
    public void Find_RealProc_FindsThisProcessHoldingAFile()
    {
        string file = Path.GetTempFileName();
        try
        {
            using FileStream held = File.OpenRead(file);

            IReadOnlyList<GroupHolder> holders = GroupHolders.Find(file);

            Assert.Contains(holders, h => h.Pid == Environment.ProcessId && h.Command is not null);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void AddProcess(string proc, int pid, string? comm, params (string Fd, string Target)[] fds)
    {
        string dir = Path.Combine(proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "fd"));
        if (comm is not null)
        {
            File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
        }

        foreach (var (fd, target) in fds)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "fd", fd), target);
        }
    }
}
