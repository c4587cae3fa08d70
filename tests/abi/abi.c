/*
 * Prints the kernel ABI that src/VfioPlanes/Interop mirrors or takes from Tmds.LibC (struct
 * statx), one "kind name value" line each:
 *   size   <struct>          sizeof(struct <struct>)
 *   offset <struct>.<field>  offsetof(struct <struct>, <field>)
 *   const  <NAME>            the value of a macro or enum constant
 * tests/VfioPlanes.Tests/Abi/AbiTests.cs compiles this against the system's uapi headers and
 * against the newer set unpacked by tests/setup.d/10-build-tools.sh, and compares every line
 * with the C# side. Anything a header set lacks is left out here (guarded below); the test
 * knows which names only newer headers have.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/version.h>
#include <linux/dma-buf.h>
#include <linux/udmabuf.h>
#include <linux/vfio.h>
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#define ABI_HAVE_IOMMUFD 1
#endif

#define SIZE(s) printf("size %s %zu\n", #s, sizeof(struct s))
#define OFFSET(s, f) printf("offset %s.%s %zu\n", #s, #f, offsetof(struct s, f))
#define CONST(c) printf("const %s %lld\n", #c, (long long)(c))
/* For flag values the kernel stores in __u32 fields: (1 << 31) is an int in C. */
#define CONST_U32(c) printf("const %s %lld\n", #c, (long long)(__u32)(c))

/* The C# side mirrors these unions as one field; both members must share its offset. */
_Static_assert(offsetof(struct vfio_device_gfx_plane_info, region_index) ==
               offsetof(struct vfio_device_gfx_plane_info, dmabuf_id), "gfx plane union");
/* areas[] follows the fixed part; the C# struct ends where it starts. */
_Static_assert(offsetof(struct vfio_region_info_cap_sparse_mmap, areas) ==
               sizeof(struct vfio_region_info_cap_sparse_mmap), "sparse mmap areas[]");

/*
 * Fields that older headers leave as implicit padding and newer ones name. Debian 12's 6.1
 * headers lack them and 6.12 has them; the release in between that named them is not
 * checked here, so they are printed from 6.12 on.
 */
#define ABI_HAVE_NAMED_PADDING (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

static void vfio(void)
{
    CONST(VFIO_API_VERSION);
    CONST(VFIO_TYPE);
    CONST(VFIO_BASE);

    CONST(VFIO_GET_API_VERSION);
    CONST(VFIO_CHECK_EXTENSION);
    CONST(VFIO_SET_IOMMU);
    CONST(VFIO_GROUP_GET_STATUS);
    CONST(VFIO_GROUP_SET_CONTAINER);
    CONST(VFIO_GROUP_UNSET_CONTAINER);
    CONST(VFIO_GROUP_GET_DEVICE_FD);
    CONST(VFIO_DEVICE_GET_INFO);
    CONST(VFIO_DEVICE_GET_REGION_INFO);
    CONST(VFIO_DEVICE_GET_IRQ_INFO);
    CONST(VFIO_DEVICE_RESET);
    CONST(VFIO_DEVICE_QUERY_GFX_PLANE);
    CONST(VFIO_DEVICE_GET_GFX_DMABUF);

    CONST(VFIO_TYPE1_IOMMU);
    CONST(VFIO_TYPE1v2_IOMMU);

    CONST(VFIO_GROUP_FLAGS_VIABLE);
    CONST(VFIO_GROUP_FLAGS_CONTAINER_SET);
    SIZE(vfio_group_status);
    OFFSET(vfio_group_status, argsz);
    OFFSET(vfio_group_status, flags);

    CONST(VFIO_DEVICE_FLAGS_RESET);
    CONST(VFIO_DEVICE_FLAGS_PCI);
    CONST(VFIO_DEVICE_FLAGS_PLATFORM);
    CONST(VFIO_DEVICE_FLAGS_AMBA);
    CONST(VFIO_DEVICE_FLAGS_CCW);
    CONST(VFIO_DEVICE_FLAGS_AP);
    CONST(VFIO_DEVICE_FLAGS_FSL_MC);
    CONST(VFIO_DEVICE_FLAGS_CAPS);
    SIZE(vfio_device_info);
    OFFSET(vfio_device_info, argsz);
    OFFSET(vfio_device_info, flags);
    OFFSET(vfio_device_info, num_regions);
    OFFSET(vfio_device_info, num_irqs);
    OFFSET(vfio_device_info, cap_offset);
#if ABI_HAVE_NAMED_PADDING
    OFFSET(vfio_device_info, pad);
#endif

    CONST(VFIO_REGION_INFO_FLAG_READ);
    CONST(VFIO_REGION_INFO_FLAG_WRITE);
    CONST(VFIO_REGION_INFO_FLAG_MMAP);
    CONST(VFIO_REGION_INFO_FLAG_CAPS);
    CONST(VFIO_REGION_INFO_CAP_SPARSE_MMAP);
    CONST(VFIO_REGION_INFO_CAP_TYPE);
    CONST_U32(VFIO_REGION_TYPE_PCI_VENDOR_TYPE);
    CONST(VFIO_REGION_TYPE_GFX);
    CONST(VFIO_REGION_SUBTYPE_GFX_EDID);
    CONST(VFIO_PCI_BAR0_REGION_INDEX);
    CONST(VFIO_PCI_BAR2_REGION_INDEX);
    CONST(VFIO_PCI_ROM_REGION_INDEX);
    CONST(VFIO_PCI_CONFIG_REGION_INDEX);
    CONST(VFIO_PCI_VGA_REGION_INDEX);
    CONST(VFIO_PCI_NUM_REGIONS);
    SIZE(vfio_region_info);
    OFFSET(vfio_region_info, argsz);
    OFFSET(vfio_region_info, flags);
    OFFSET(vfio_region_info, index);
    OFFSET(vfio_region_info, cap_offset);
    OFFSET(vfio_region_info, size);
    OFFSET(vfio_region_info, offset);
    SIZE(vfio_info_cap_header);
    OFFSET(vfio_info_cap_header, id);
    OFFSET(vfio_info_cap_header, version);
    OFFSET(vfio_info_cap_header, next);
    SIZE(vfio_region_info_cap_type);
    OFFSET(vfio_region_info_cap_type, header);
    OFFSET(vfio_region_info_cap_type, type);
    OFFSET(vfio_region_info_cap_type, subtype);
    SIZE(vfio_region_sparse_mmap_area);
    OFFSET(vfio_region_sparse_mmap_area, offset);
    OFFSET(vfio_region_sparse_mmap_area, size);
    SIZE(vfio_region_info_cap_sparse_mmap);
    OFFSET(vfio_region_info_cap_sparse_mmap, header);
    OFFSET(vfio_region_info_cap_sparse_mmap, nr_areas);
    OFFSET(vfio_region_info_cap_sparse_mmap, reserved);

    CONST(VFIO_GFX_PLANE_TYPE_PROBE);
    CONST(VFIO_GFX_PLANE_TYPE_DMABUF);
    CONST(VFIO_GFX_PLANE_TYPE_REGION);
    SIZE(vfio_device_gfx_plane_info);
    OFFSET(vfio_device_gfx_plane_info, argsz);
    OFFSET(vfio_device_gfx_plane_info, flags);
    OFFSET(vfio_device_gfx_plane_info, drm_plane_type);
    OFFSET(vfio_device_gfx_plane_info, drm_format);
    OFFSET(vfio_device_gfx_plane_info, drm_format_mod);
    OFFSET(vfio_device_gfx_plane_info, width);
    OFFSET(vfio_device_gfx_plane_info, height);
    OFFSET(vfio_device_gfx_plane_info, stride);
    OFFSET(vfio_device_gfx_plane_info, size);
    OFFSET(vfio_device_gfx_plane_info, x_pos);
    OFFSET(vfio_device_gfx_plane_info, y_pos);
    OFFSET(vfio_device_gfx_plane_info, x_hot);
    OFFSET(vfio_device_gfx_plane_info, y_hot);
    OFFSET(vfio_device_gfx_plane_info, dmabuf_id);
#if ABI_HAVE_NAMED_PADDING
    OFFSET(vfio_device_gfx_plane_info, reserved);
#endif

    CONST(VFIO_DEVICE_GFX_LINK_STATE_UP);
    CONST(VFIO_DEVICE_GFX_LINK_STATE_DOWN);
    SIZE(vfio_region_gfx_edid);
    OFFSET(vfio_region_gfx_edid, edid_offset);
    OFFSET(vfio_region_gfx_edid, edid_max_size);
    OFFSET(vfio_region_gfx_edid, edid_size);
    OFFSET(vfio_region_gfx_edid, max_xres);
    OFFSET(vfio_region_gfx_edid, max_yres);
    OFFSET(vfio_region_gfx_edid, link_state);

    /* The device cdev (kernels from 6.6). */
#ifdef VFIO_DEVICE_BIND_IOMMUFD
    CONST(VFIO_DEVICE_BIND_IOMMUFD);
    CONST(VFIO_DEVICE_ATTACH_IOMMUFD_PT);
    SIZE(vfio_device_bind_iommufd);
    OFFSET(vfio_device_bind_iommufd, argsz);
    OFFSET(vfio_device_bind_iommufd, flags);
    OFFSET(vfio_device_bind_iommufd, iommufd);
    OFFSET(vfio_device_bind_iommufd, out_devid);
    SIZE(vfio_device_attach_iommufd_pt);
    OFFSET(vfio_device_attach_iommufd_pt, argsz);
    OFFSET(vfio_device_attach_iommufd_pt, flags);
    OFFSET(vfio_device_attach_iommufd_pt, pt_id);
#endif
}

static void iommufd(void)
{
#ifdef ABI_HAVE_IOMMUFD
    CONST(IOMMUFD_TYPE);
    CONST(IOMMUFD_CMD_DESTROY);
    CONST(IOMMUFD_CMD_IOAS_ALLOC);
    CONST(IOMMU_DESTROY);
    CONST(IOMMU_IOAS_ALLOC);
    SIZE(iommu_ioas_alloc);
    OFFSET(iommu_ioas_alloc, size);
    OFFSET(iommu_ioas_alloc, flags);
    OFFSET(iommu_ioas_alloc, out_ioas_id);
#endif
}

static void dmabuf(void)
{
    CONST(DMA_BUF_SYNC_READ);
    CONST(DMA_BUF_SYNC_WRITE);
    CONST(DMA_BUF_SYNC_RW);
    CONST(DMA_BUF_SYNC_START);
    CONST(DMA_BUF_SYNC_END);
    CONST(DMA_BUF_IOCTL_SYNC);
    SIZE(dma_buf_sync);
    OFFSET(dma_buf_sync, flags);

    CONST(UDMABUF_FLAGS_CLOEXEC);
    CONST(UDMABUF_CREATE);
    SIZE(udmabuf_create);
    OFFSET(udmabuf_create, memfd);
    OFFSET(udmabuf_create, flags);
    OFFSET(udmabuf_create, offset);
    OFFSET(udmabuf_create, size);
}

static void libc(void)
{
    CONST(O_RDONLY);
    CONST(O_WRONLY);
    CONST(O_RDWR);
    CONST(O_CLOEXEC);
    CONST(F_GETFD);
    CONST(F_GETFL);
    CONST(F_SETFL);
    CONST(O_NONBLOCK);
    CONST(F_DUPFD_CLOEXEC);
    CONST(F_ADD_SEALS);
    CONST(F_GET_SEALS);
    CONST(F_SEAL_SEAL);
    CONST(F_SEAL_SHRINK);
    CONST(F_SEAL_GROW);
    CONST(MFD_CLOEXEC);
    CONST(MFD_ALLOW_SEALING);
    CONST(PROT_NONE);
    CONST(PROT_READ);
    CONST(PROT_WRITE);
    CONST(MAP_SHARED);
    CONST(MAP_PRIVATE);
    CONST(POLLIN);
    CONST(POLLOUT);
    CONST(POLLERR);
    CONST(POLLHUP);
    CONST(POLLNVAL);
    SIZE(pollfd);
    OFFSET(pollfd, fd);
    OFFSET(pollfd, events);
    OFFSET(pollfd, revents);

    CONST(AT_FDCWD);
    CONST(AT_SYMLINK_NOFOLLOW);
    CONST(STATX_TYPE);
    CONST(STATX_MODE);
    CONST(STATX_GID);
    CONST(R_OK);
    CONST(W_OK);
    CONST(X_OK);
    CONST(STATX_SIZE);
    CONST(AT_EMPTY_PATH);
    CONST(S_IFMT);
    CONST(S_IFSOCK);
    CONST(S_IFLNK);
    CONST(S_IFREG);
    CONST(S_IFBLK);
    CONST(S_IFDIR);
    CONST(S_IFCHR);
    CONST(S_IFIFO);
    SIZE(statx);
    OFFSET(statx, stx_mask);
    OFFSET(statx, stx_blksize);
    OFFSET(statx, stx_attributes);
    OFFSET(statx, stx_nlink);
    OFFSET(statx, stx_uid);
    OFFSET(statx, stx_gid);
    OFFSET(statx, stx_mode);
    OFFSET(statx, __spare0);
    OFFSET(statx, stx_ino);
    OFFSET(statx, stx_size);

    CONST(EPERM);
    CONST(ENOENT);
    CONST(EINTR);
    CONST(EIO);
    CONST(ENXIO);
    CONST(EBADF);
    CONST(EAGAIN);
    CONST(ENOMEM);
    CONST(EACCES);
    CONST(EFAULT);
    CONST(EBUSY);
    CONST(ENODEV);
    CONST(EINVAL);
    CONST(ENOTTY);
    CONST(ENOSPC);
    CONST(ENOTDIR);
    CONST(EISDIR);
    CONST(EPIPE);
    CONST(ENAMETOOLONG);
    CONST(ELOOP);
    CONST(EDQUOT);
    CONST(ENOSYS);
    CONST(EOPNOTSUPP);
}

int main(void)
{
    printf("const LINUX_VERSION_CODE %d\n", LINUX_VERSION_CODE);
    vfio();
    iommufd();
    dmabuf();
    libc();
    return 0;
}
