namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// How one driver lays out its EDID region (linux/vfio.h, struct vfio_region_gfx_edid) within
/// the page <see cref="SimEdidRegion"/> gives it, and what it does with a write it does not take:
/// where the blob starts (the header's edid_offset), how much of it the driver keeps
/// (edid_max_size), and whether such a write fails with EINVAL or succeeds having stored nothing.
/// </summary>
/// <param name="BlobOffset">edid_offset: where the blob starts within the region.</param>
/// <param name="MaxBlobSize">edid_max_size: the most blob bytes the driver keeps.</param>
/// <param name="DropsRefusedWrites">
/// True when a write the driver does not take (blob bytes past edid_max_size, a read-only
/// field, anything but a whole aligned header word) is dropped and the write still succeeds;
/// false when it fails with EINVAL, as do an edid_size over edid_max_size and a link_state
/// neither up nor down.
/// </param>
internal sealed record SimEdidLayout(uint BlobOffset, uint MaxBlobSize, bool DropsRefusedWrites)
{
    /// <summary>
    /// The simulated vGPU's own layout: the blob after a 256-byte header area, the rest of the
    /// page for it (edid_max_size 3840, thirty 128-byte blocks), every write checked.
    /// </summary>
    public static SimEdidLayout Default { get; } = new(0x100, SimEdidRegion.Size - 0x100, DropsRefusedWrites: false);

    /// <summary>
    /// The kernel's mbochs sample (samples/vfio-mdev/mbochs.c): edid_offset half its one-page
    /// region (MBOCHS_EDID_BLOB_OFFSET, 2048), edid_max_size its 0x400-byte blob buffer (1024).
    /// Its handle_edid_regs and handle_edid_blob ignore what they do not take and the write still
    /// returns its count: blob bytes past edid_max_size are lost, read-only fields stay, and
    /// edid_size and link_state store whatever is written.
    /// </summary>
    public static SimEdidLayout Mbochs { get; } = new(SimEdidRegion.Size / 2, 0x400, DropsRefusedWrites: true);
}
