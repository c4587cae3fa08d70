namespace VgpuView.VfioPlanes.Simulation;

/// <summary>How a driver takes a write to its EDID region that it does not take whole.</summary>
internal enum SimEdidWrites
{
    /// <summary>Every write is taken whole or fails with EINVAL, nothing stored.</summary>
    CheckedWhole,

    /// <summary>Split into aligned 4-, 2- or 1-byte pieces; a piece not taken is dropped and the write still succeeds.</summary>
    DropsRefused,

    /// <summary>Split into aligned 4-, 2- or 1-byte pieces; the first piece not taken fails the write with EFAULT, the pieces before it kept.</summary>
    FailsAtFirstRefused,
}

/// <summary>
/// How one driver lays out its EDID region (linux/vfio.h, struct vfio_region_gfx_edid) within
/// the page <see cref="SimEdidRegion"/> gives it, and what it does with a write it does not take:
/// where the blob starts (the header's edid_offset), how much of it the driver keeps
/// (edid_max_size), the size region info reports, and how a write is refused.
/// </summary>
/// <param name="BlobOffset">edid_offset: where the blob starts within the region.</param>
/// <param name="MaxBlobSize">edid_max_size: the most blob bytes the driver keeps.</param>
/// <param name="Writes">
/// What becomes of a write the driver does not take (blob bytes it does not keep, a read-only
/// field, anything but a whole aligned header word, an edid_size over edid_max_size, a
/// link_state neither up nor down).
/// </param>
internal sealed record SimEdidLayout(uint BlobOffset, uint MaxBlobSize, SimEdidWrites Writes)
{
    /// <summary>
    /// The simulated vGPU's own layout: the blob after a 256-byte header area, the rest of the
    /// page for it (edid_max_size 3840, thirty 128-byte blocks), every write checked.
    /// </summary>
    public static SimEdidLayout Default { get; } = new(0x100, SimEdidRegion.Size - 0x100, SimEdidWrites.CheckedWhole);

    /// <summary>
    /// The kernel's mbochs sample (samples/vfio-mdev/mbochs.c): edid_offset half its one-page
    /// region (MBOCHS_EDID_BLOB_OFFSET, 2048), edid_max_size its 0x400-byte blob buffer (1024).
    /// Its handle_edid_regs and handle_edid_blob ignore what they do not take and the write still
    /// returns its count: blob bytes past edid_max_size are lost, read-only fields stay, and
    /// edid_size and link_state store whatever is written.
    /// </summary>
    public static SimEdidLayout Mbochs { get; } = new(SimEdidRegion.Size / 2, 0x400, SimEdidWrites.DropsRefused);

    /// <summary>
    /// i915 GVT-g (drivers/gpu/drm/i915/gvt/kvmgt.c). intel_gvt_set_edid registers the region
    /// with EDID_SIZE (128 bytes) as its size, yet its header puts the blob at EDID_BLOB_OFFSET
    /// (half a page, 2048) with edid_max_size and edid_size 128, over the vGPU's generated EDID,
    /// link_state left 0 by kzalloc. intel_vgpu_write and intel_vgpu_read split an access into
    /// aligned 4-, 2- or 1-byte pieces and answer -EFAULT for the first piece the region refuses:
    /// a header piece that is not 4 bytes, a write to a read-only field (-EPERM inside), an
    /// edid_size over edid_max_size, a link_state neither up nor down or up over a blob
    /// drm_edid_block_valid rejects, and a blob piece past the current edid_size
    /// (handle_edid_blob bounds it by edid_size, not edid_max_size).
    /// </summary>
    public static SimEdidLayout Gvt { get; } = new(SimEdidRegion.Size / 2, 128, SimEdidWrites.FailsAtFirstRefused)
    {
        ReportedSize = 128,
        LinkUnsetAtOpen = true,
    };

    /// <summary>The region's size as VFIO_DEVICE_GET_REGION_INFO reports it; the blob may lie past it.</summary>
    public uint ReportedSize { get; init; } = SimEdidRegion.Size;

    /// <summary>
    /// Whether the driver makes the region with its blob in place and edid_size set but link_state
    /// never written (0, neither up nor down), rather than as a VMM leaves it with the link up.
    /// </summary>
    public bool LinkUnsetAtOpen { get; init; }
}
