using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The EDID region of the simulated vGPU (linux/vfio.h, struct vfio_region_gfx_edid) in the
/// device file: its header, the blob where the driver's <see cref="SimEdidLayout"/> puts it, and
/// the driver's rules for writing them. Bringing the link up with a blob reports the blob's
/// preferred mode for the device to switch the guest to.
/// </summary>
internal sealed class SimEdidRegion
{
    /// <summary>The region's index (VFIO_REGION_SUBTYPE_GFX_EDID).</summary>
    internal const uint Index = 9;

    /// <summary>The region's size: one page, as mbochs' (MBOCHS_EDID_SIZE).</summary>
    internal const uint Size = 0x1000;

    private static readonly int s_headerSize = Marshal.SizeOf<vfio_region_gfx_edid>();

    private readonly SafeFdHandle _deviceFd;
    private readonly string _name;
    private readonly SimEdidLayout _layout;
    private readonly long _start;
    private uint _edidSize;
    private uint _linkState;

    /// <param name="deviceFd">The device file the region lives in, at <see cref="Index"/> &lt;&lt; <see cref="SimRegionTable.RegionShift"/>.</param>
    /// <param name="name">The device's name, for messages.</param>
    /// <param name="layout">Where the driver puts the blob and how it takes writes.</param>
    /// <param name="maxX">The header's max_xres.</param>
    /// <param name="maxY">The header's max_yres.</param>
    internal SimEdidRegion(SafeFdHandle deviceFd, string name, SimEdidLayout layout, uint maxX, uint maxY)
    {
        if ((ulong)layout.BlobOffset + layout.MaxBlobSize > Size || layout.BlobOffset < s_headerSize)
        {
            throw new ArgumentException($"an EDID blob at {layout.BlobOffset} of at most {layout.MaxBlobSize} bytes does not fit between the {s_headerSize}-byte header and the end of the {Size}-byte region", nameof(layout));
        }

        _deviceFd = deviceFd;
        _name = name;
        _layout = layout;
        _start = (long)Index << SimRegionTable.RegionShift;
        MaxX = maxX;
        MaxY = maxY;
    }

    /// <summary>The largest mode the device takes (max_xres).</summary>
    public uint MaxX { get; }

    /// <summary>(max_yres).</summary>
    public uint MaxY { get; }

    /// <summary>
    /// Writes the header and, when <paramref name="blob"/> is given, the blob with the link up, as
    /// a VMM does before the guest starts; without one the link stays down and edid_size 0.
    /// </summary>
    public void Present(byte[]? blob)
    {
        if (blob is not null)
        {
            if (blob.Length > _layout.MaxBlobSize)
            {
                throw new ArgumentException($"{_name}: an EDID of {blob.Length} bytes is more than edid_max_size {_layout.MaxBlobSize}", nameof(blob));
            }

            Errno.CheckIo(Interop.Libc.PWrite(_deviceFd, blob, _start + _layout.BlobOffset), "pwrite", _name + " EDID blob");
            _edidSize = (uint)blob.Length;
            _linkState = VFIO_DEVICE_GFX_LINK_STATE_UP;
        }

        WriteHeader();
    }

    /// <summary>
    /// A write of <paramref name="buffer"/> at <paramref name="offset"/> within the region: 0 or an
    /// errno. edid_size and link_state are the writable fields of the header, written as whole
    /// aligned 32-bit words; the blob goes at edid_offset. What else happens to a write is the
    /// layout's <see cref="SimEdidLayout.DropsRefusedWrites"/>. When the write brings the link up
    /// with a blob that has a preferred timing, <paramref name="linked"/> is that mode.
    /// </summary>
    public int Write(ReadOnlySpan<byte> buffer, long offset, out SimMode? linked)
    {
        linked = null;
        bool linkUp = false;
        int rc = _layout.DropsRefusedWrites ? WriteWhatIsTaken(buffer, offset, ref linkUp) : WriteChecked(buffer, offset, ref linkUp);
        if (rc == 0 && linkUp)
        {
            linked = PreferredMode();
        }

        return rc;
    }

    // Every write either taken whole or failed with EINVAL: a blob within edid_max_size, or whole
    // header words each of which is allowed.
    private int WriteChecked(ReadOnlySpan<byte> buffer, long offset, ref bool linkUp)
    {
        if (offset >= _layout.BlobOffset)
        {
            return offset + buffer.Length > (long)_layout.BlobOffset + _layout.MaxBlobSize ? Errno.EINVAL : WriteBlob(buffer, offset);
        }

        if (offset % 4 != 0 || buffer.Length % 4 != 0 || offset + buffer.Length > s_headerSize)
        {
            return Errno.EINVAL;
        }

        int rc = 0;
        for (int i = 0; i < buffer.Length && rc == 0; i += 4)
        {
            rc = TakeWord((int)((offset + i) / 4), BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice(i, 4)), check: true, ref linkUp);
        }

        WriteHeader();
        return rc;
    }

    // As mbochs takes a write, split into naturally aligned pieces of 4, 2 or 1 bytes: the blob
    // pieces within edid_max_size are stored, the aligned 4-byte pieces on edid_size and
    // link_state are taken whatever their value, and every other piece is dropped. The write
    // succeeds.
    private int WriteWhatIsTaken(ReadOnlySpan<byte> buffer, long offset, ref bool linkUp)
    {
        long end = offset + buffer.Length;
        long from = Math.Max(offset, _layout.BlobOffset);
        long to = Math.Min(end, (long)_layout.BlobOffset + _layout.MaxBlobSize);
        if (from < to)
        {
            int rc = WriteBlob(buffer.Slice((int)(from - offset), (int)(to - from)), from);
            if (rc != 0)
            {
                return rc;
            }
        }

        long headerEnd = Math.Min(end, s_headerSize);
        for (long at = (offset + 3) & ~3L; at + 4 <= headerEnd; at += 4)
        {
            TakeWord((int)(at / 4), BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice((int)(at - offset), 4)), check: false, ref linkUp);
        }

        WriteHeader();
        return 0;
    }

    private int WriteBlob(ReadOnlySpan<byte> bytes, long offset)
    {
        nint n = Interop.Libc.PWrite(_deviceFd, bytes, _start + offset);
        return n < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    // Header word <paramref name="index"/> written with <paramref name="value"/>. Checked, an
    // edid_size over edid_max_size, a link_state neither up nor down and a change to a read-only
    // field are EINVAL; unchecked, the first two are stored and the last ignored.
    private int TakeWord(int index, uint value, bool check, ref bool linkUp)
    {
        switch (index)
        {
            case 2: // edid_size
                if (check && value > _layout.MaxBlobSize)
                {
                    return Errno.EINVAL;
                }

                _edidSize = value;
                return 0;
            case 5: // link_state
                if (check && value is not (VFIO_DEVICE_GFX_LINK_STATE_UP or VFIO_DEVICE_GFX_LINK_STATE_DOWN))
                {
                    return Errno.EINVAL;
                }

                linkUp |= value == VFIO_DEVICE_GFX_LINK_STATE_UP && _linkState != VFIO_DEVICE_GFX_LINK_STATE_UP;
                _linkState = value;
                return 0;
            default:
                // Read-only fields: rewriting the same value is harmless.
                return check && value != ReadOnlyWord(index) ? Errno.EINVAL : 0;
        }
    }

    private void WriteHeader()
    {
        var header = new vfio_region_gfx_edid
        {
            edid_offset = _layout.BlobOffset,
            edid_max_size = _layout.MaxBlobSize,
            edid_size = _edidSize,
            max_xres = MaxX,
            max_yres = MaxY,
            link_state = _linkState,
        };
        Span<byte> bytes = stackalloc byte[s_headerSize];
        MemoryMarshal.Write(bytes, in header);
        Errno.CheckIo(Interop.Libc.PWrite(_deviceFd, bytes, _start), "pwrite", _name + " EDID header");
    }

    private uint ReadOnlyWord(int index) => index switch
    {
        0 => _layout.BlobOffset,
        1 => _layout.MaxBlobSize,
        3 => MaxX,
        4 => MaxY,
        _ => 0,
    };

    // The preferred timing of the blob now in the region, if it parses and has one. A driver that
    // stores any edid_size keeps no more than edid_max_size bytes of blob for the guest to read.
    private SimMode? PreferredMode()
    {
        byte[] blob = new byte[Math.Min(_edidSize, _layout.MaxBlobSize)];
        if (Interop.Libc.PRead(_deviceFd, blob, _start + _layout.BlobOffset) != blob.Length || !EdidBlock.TryParse(blob, out EdidBlock? edid, out _) ||
            edid!.Preferred is not { Width: > 0, Height: > 0 } preferred)
        {
            return null;
        }

        return new SimMode(preferred.Width, preferred.Height);
    }
}
