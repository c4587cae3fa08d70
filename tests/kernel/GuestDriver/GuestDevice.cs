using System.Buffers.Binary;
using System.Text;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.KernelGuest;

/// <summary>One region as VFIO_DEVICE_GET_REGION_INFO reports it, with the type capability when present.</summary>
internal readonly record struct GuestRegion(uint Index, ulong Size, ulong Offset, uint Flags, uint? CapType, uint? CapSubtype);

/// <summary>
/// An mdev opened as a guest's VMM would, the legacy way (container, group, device) or
/// through its device cdev bound to an iommufd, kept deliberately apart from the library's
/// own opener so that the harness does not test the opener with itself. It is the "guest":
/// it programs registers and writes pixels.
/// </summary>
internal sealed class GuestDevice : IDisposable
{
    // fcntl.h: F_DUPFD duplicates without FD_CLOEXEC, so the copy survives exec.
    private const int F_DUPFD = 0;

    private readonly SafeFdHandle? _container;
    private readonly SafeFdHandle? _group;
    private readonly SafeFdHandle? _iommufd;
    private readonly SafeFdHandle _device;

    private GuestDevice(string uuid, SafeFdHandle? container, SafeFdHandle? group, SafeFdHandle? iommufd, SafeFdHandle device)
    {
        Uuid = uuid;
        _container = container;
        _group = group;
        _iommufd = iommufd;
        _device = device;
    }

    public string Uuid { get; }

    /// <summary>Whether the device was opened through its cdev and iommufd rather than its group.</summary>
    public bool ThroughCdev => _iommufd is not null;

    /// <summary>The device cdev's node, /dev/vfio/devices/vfioN, from sysfs (&lt;device&gt;/vfio-dev/vfioN).</summary>
    public static string CdevOf(string uuid)
    {
        string dir = $"/sys/bus/mdev/devices/{uuid}/vfio-dev";
        string[] names = Directory.Exists(dir) ? Directory.GetDirectories(dir, "vfio*") : [];
        if (names.Length != 1)
        {
            throw new IOException($"{dir} holds {names.Length} vfioN entries, expected one (a kernel with CONFIG_VFIO_DEVICE_CDEV)");
        }

        return "/dev/vfio/devices/" + Path.GetFileName(names[0]);
    }

    /// <summary>
    /// Opens the device through its cdev, as Documentation/driver-api/vfio.rst describes for
    /// iommufd: open /dev/vfio/devices/vfioN and /dev/iommu, VFIO_DEVICE_BIND_IOMMUFD,
    /// IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT (an emulated device such as an mdev
    /// attaches to an IOAS for its access object).
    /// </summary>
    public static GuestDevice OpenCdev(string uuid)
    {
        string cdev = CdevOf(uuid);
        SafeFdHandle device = OpenOrThrow(cdev);
        SafeFdHandle? iommufd = null;
        try
        {
            iommufd = OpenOrThrow("/dev/iommu");
            var bind = new Interop.Vfio.vfio_device_bind_iommufd { argsz = 16, iommufd = iommufd.Number };
            Check(Interop.Libc.Ioctl(device, Interop.Vfio.VFIO_DEVICE_BIND_IOMMUFD, ref bind), "VFIO_DEVICE_BIND_IOMMUFD", cdev);
            var ioas = new Interop.Iommufd.iommu_ioas_alloc { size = 12 };
            Check(Interop.Libc.Ioctl(iommufd, Interop.Iommufd.IOMMU_IOAS_ALLOC, ref ioas), "IOMMU_IOAS_ALLOC", "/dev/iommu");
            var attach = new Interop.Vfio.vfio_device_attach_iommufd_pt { argsz = 12, pt_id = ioas.out_ioas_id };
            Check(Interop.Libc.Ioctl(device, Interop.Vfio.VFIO_DEVICE_ATTACH_IOMMUFD_PT, ref attach), "VFIO_DEVICE_ATTACH_IOMMUFD_PT", cdev);
            return new GuestDevice(uuid, null, null, iommufd, device);
        }
        catch
        {
            device.Dispose();
            iommufd?.Dispose();
            throw;
        }
    }

    public static string IommuGroupOf(string uuid)
    {
        // sysfs: /sys/bus/mdev/devices/<uuid>/iommu_group -> ../../../kernel/iommu_groups/<n>
        string link = $"/sys/bus/mdev/devices/{uuid}/iommu_group";
        string target = new FileInfo(link).LinkTarget ?? throw new IOException($"{link} is not a symlink");
        return Path.GetFileName(target);
    }

    public static GuestDevice Open(string uuid)
    {
        string group = IommuGroupOf(uuid);
        SafeFdHandle container = OpenOrThrow("/dev/vfio/vfio");
        SafeFdHandle? groupFd = null;
        try
        {
            groupFd = OpenOrThrow($"/dev/vfio/{group}");
            var status = new Interop.Vfio.vfio_group_status { argsz = 8 };
            Check(Interop.Libc.Ioctl(groupFd, Interop.Vfio.VFIO_GROUP_GET_STATUS, ref status), "VFIO_GROUP_GET_STATUS", group);
            if ((status.flags & Interop.Vfio.VFIO_GROUP_FLAGS_VIABLE) == 0)
            {
                throw new IOException($"group {group} is not viable");
            }

            // VFIO_GROUP_SET_CONTAINER takes a pointer to the container's fd number.
            int containerFd = container.Number;
            Check(Interop.Libc.Ioctl(groupFd, Interop.Vfio.VFIO_GROUP_SET_CONTAINER, ref containerFd), "VFIO_GROUP_SET_CONTAINER", group);
            if (Interop.Libc.Ioctl(container, Interop.Vfio.VFIO_SET_IOMMU, Interop.Vfio.VFIO_TYPE1v2_IOMMU) < 0)
            {
                Check(Interop.Libc.Ioctl(container, Interop.Vfio.VFIO_SET_IOMMU, Interop.Vfio.VFIO_TYPE1_IOMMU), "VFIO_SET_IOMMU", group);
            }

            // VFIO_GROUP_GET_DEVICE_FD takes the device name as a NUL-terminated string.
            byte[] name = Encoding.ASCII.GetBytes(uuid + "\0");
            int fd = Interop.Libc.Ioctl(groupFd, Interop.Vfio.VFIO_GROUP_GET_DEVICE_FD, name);
            Check(fd, "VFIO_GROUP_GET_DEVICE_FD", uuid);
            return new GuestDevice(uuid, container, groupFd, null, new SafeFdHandle(fd, ownsHandle: true));
        }
        catch
        {
            groupFd?.Dispose();
            container.Dispose();
            throw;
        }
    }

    public (uint Flags, uint NumRegions) GetInfo()
    {
        var info = new Interop.Vfio.vfio_device_info { argsz = 24 };
        Check(Interop.Libc.Ioctl(_device, Interop.Vfio.VFIO_DEVICE_GET_INFO, ref info), "VFIO_DEVICE_GET_INFO", Uuid);
        return (info.flags, info.num_regions);
    }

    /// <summary>
    /// Region info with the capability chain read by hand (vfio_info_cap_header: id, version,
    /// next). Asked the way QEMU asks: argsz = sizeof(struct vfio_region_info) first, then again
    /// with the argsz the kernel answered when the capabilities did not fit. mbochs rejects an
    /// argsz larger than its own reply struct with EINVAL (mbochs.c, VFIO_DEVICE_GET_REGION_INFO).
    /// </summary>
    public GuestRegion? GetRegion(uint index)
    {
        byte[] buffer = new byte[32];
        for (int attempt = 0; ; attempt++)
        {
            Array.Clear(buffer);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(0), (uint)buffer.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), index);
            if (Interop.Libc.Ioctl(_device, Interop.Vfio.VFIO_DEVICE_GET_REGION_INFO, buffer.AsSpan()) < 0)
            {
                return null;
            }

            uint needed = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(0));
            if (needed <= buffer.Length || attempt > 0 || needed > 4096)
            {
                break;
            }

            buffer = new byte[needed];
        }

        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
        uint capOffset = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12));
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(16));
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(24));
        uint? capType = null;
        uint? capSubtype = null;
        for (int hops = 0; (flags & Interop.Vfio.VFIO_REGION_INFO_FLAG_CAPS) != 0 && capOffset != 0 && capOffset + 16 <= buffer.Length && hops < 16; hops++)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan((int)capOffset));
            if (id == Interop.Vfio.VFIO_REGION_INFO_CAP_TYPE)
            {
                capType = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan((int)capOffset + 8));
                capSubtype = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan((int)capOffset + 12));
            }

            capOffset = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan((int)capOffset + 4));
        }

        return new GuestRegion(index, size, offset, flags, capType, capSubtype);
    }

    public GuestRegion Region(uint index) =>
        GetRegion(index) ?? throw new IOException($"{Uuid}: VFIO_DEVICE_GET_REGION_INFO for region {index} failed");

    /// <summary>VFIO_DEVICE_QUERY_GFX_PLANE; 0 or the errno.</summary>
    public int QueryPlane(ref Interop.Vfio.vfio_device_gfx_plane_info plane) =>
        Interop.Libc.Ioctl(_device, Interop.Vfio.VFIO_DEVICE_QUERY_GFX_PLANE, ref plane) < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;

    /// <summary>VFIO_DEVICE_GET_GFX_DMABUF: a dma-buf fd for <paramref name="id"/>, or the errno.</summary>
    public (SafeFdHandle? Fd, int Errno) GetDmaBuf(uint id)
    {
        SafeFdHandle fd = Interop.Vfio.GetGfxDmaBuf(_device, id);
        if (fd.IsInvalid)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            fd.Dispose();
            return (null, errno);
        }

        return (fd, 0);
    }

    public void Write(ReadOnlySpan<byte> data, long offset)
    {
        nint n = Interop.Libc.PWrite(_device, data, offset);
        if (n != data.Length)
        {
            throw new IOException($"{Uuid}: pwrite of {data.Length} bytes at 0x{offset:x} returned {n} (errno {Errno.Name(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())})");
        }
    }

    public void Read(Span<byte> data, long offset)
    {
        nint n = Interop.Libc.PRead(_device, data, offset);
        if (n != data.Length)
        {
            throw new IOException($"{Uuid}: pread of {data.Length} bytes at 0x{offset:x} returned {n} (errno {Errno.Name(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())})");
        }
    }

    public SafeMappedRegion Map(GuestRegion region, bool writable) =>
        SafeMappedRegion.Map(_device, (long)region.Offset, (long)region.Size, writable, $"{Uuid} region {region.Index}");

    /// <summary>
    /// A duplicate of the device fd without FD_CLOEXEC, for a child to inherit as fd:N. The
    /// caller disposes it right after the child started: the child keeps its own copy, and
    /// the container and group (or the iommufd) stay open here, which keeps the device usable
    /// (linux/vfio.h: a device fd stays valid while its group is attached to a container; a
    /// cdev fd while it is bound).
    /// </summary>
    public SafeFdHandle DupInheritable()
    {
        int fd = Interop.Libc.Fcntl(_device, F_DUPFD, 3);
        Check(fd, "fcntl(F_DUPFD)", Uuid);
        return new SafeFdHandle(fd, ownsHandle: true);
    }

    public void Dispose()
    {
        _device.Dispose();
        _group?.Dispose();
        _container?.Dispose();
        _iommufd?.Dispose();
    }

    private static SafeFdHandle OpenOrThrow(string path)
    {
        SafeFdHandle fd = Interop.Libc.Open(path, Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw Errno.ExceptionFor(errno, "open", path);
        }

        return fd;
    }

    private static void Check(int rc, string operation, string what)
    {
        if (rc < 0)
        {
            throw Errno.LastError(operation, what);
        }
    }
}
