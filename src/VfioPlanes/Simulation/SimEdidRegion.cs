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

    /// <summary>The page the region serves, as mbochs' (MBOCHS_EDID_SIZE); region info may report less (<see cref="SimEdidLayout.ReportedSize"/>).</summary>
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
    /// a VMM does before the guest starts, or with link_state unset for a layout whose driver
    /// makes the region so (<see cref="SimEdidLayout.LinkUnsetAtOpen"/>); without one the link
    /// stays unset and edid_size 0.
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
            _linkState = _layout.LinkUnsetAtOpen ? 0 : VFIO_DEVICE_GFX_LINK_STATE_UP;
        }

        WriteHeader();
    }

    /// <summary>
    /// A write of <paramref name="buffer"/> at <paramref name="offset"/> within the region: 0 or an
    /// errno. edid_size and link_state are the writable fields of the header, written as whole
    /// aligned 32-bit words; the blob goes at edid_offset. What else happens to a write is the
    /// layout's <see cref="SimEdidLayout.Writes"/>. When the write brings the link up
    /// with a blob that has a preferred timing, <paramref name="linked"/> is that mode.
    /// </summary>
    public int Write(ReadOnlySpan<byte> buffer, long offset, out SimMode? linked)
    {
        linked = null;
        bool linkUp = false;
        int rc = _layout.Writes switch
        {
            SimEdidWrites.DropsRefused => WriteWhatIsTaken(buffer, offset, ref linkUp),
            SimEdidWrites.FailsAtFirstRefused => WriteUntilRefused(buffer, offset, ref linkUp),
            _ => WriteChecked(buffer, offset, ref linkUp),
        };
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

    /// <summary>
    /// Whether a read of <paramref name="length"/> bytes at <paramref name="offset"/> within the
    /// region is served: 0 or an errno. A <see cref="SimEdidWrites.FailsAtFirstRefused"/> driver
    /// reads in the same pieces it writes in, each a whole header word or blob bytes within
    /// edid_size, and answers EFAULT for the first it refuses; the others read the page as it is.
    /// </summary>
    public int CheckRead(long offset, int length)
    {
        if (_layout.Writes != SimEdidWrites.FailsAtFirstRefused)
        {
            return 0;
        }

        for (int done = 0; done < length;)
        {
            int n = PieceLength(offset + done, length - done);
            if (!PieceServed(offset + done, n))
            {
                return Errno.EFAULT;
            }

            done += n;
        }

        return 0;
    }

    // As kvmgt takes a write, split into naturally aligned pieces of 4, 2 or 1 bytes, each a
    // whole header word it lets be written or blob bytes within the current edid_size: the first
    // piece refused fails the write with EFAULT, the pieces before it kept. Every read-only field
    // is refused, even rewritten with its own value, and link_state UP over a blob that is not a
    // valid EDID block.
    private int WriteUntilRefused(ReadOnlySpan<byte> buffer, long offset, ref bool linkUp)
    {
        int rc = 0;
        for (int done = 0; done < buffer.Length && rc == 0;)
        {
            int n = PieceLength(offset + done, buffer.Length - done);
            long at = offset + done;
            ReadOnlySpan<byte> piece = buffer.Slice(done, n);
            if (!PieceServed(at, n))
            {
                rc = Errno.EFAULT;
            }
            else if (at >= _layout.BlobOffset)
            {
                rc = WriteBlob(piece, at);
            }
            else
            {
                int index = (int)(at / 4);
                uint value = BinaryPrimitives.ReadUInt32LittleEndian(piece);
                bool writable = index is 2 or 5 && (index != 5 || value != VFIO_DEVICE_GFX_LINK_STATE_UP || BlobIsValid());
                rc = writable && TakeWord(index, value, check: true, ref linkUp) == 0 ? 0 : Errno.EFAULT;
            }

            done += n;
        }

        WriteHeader();
        return rc;
    }

    private static int PieceLength(long at, int left) => left >= 4 && at % 4 == 0 ? 4 : left >= 2 && at % 2 == 0 ? 2 : 1;

    // A piece a kvmgt-like driver serves: below edid_offset a whole word of the header, from it
    // blob bytes within the current edid_size.
    private bool PieceServed(long at, int length) =>
        at >= _layout.BlobOffset ? at + length <= (long)_layout.BlobOffset + _edidSize : length == 4 && at + 4 <= s_headerSize;

    // drm_edid_block_valid on the blob's first block, whatever edid_size says.
    private bool BlobIsValid()
    {
        byte[] block = new byte[Math.Min(128u, _layout.MaxBlobSize)];
        return Interop.Libc.PRead(_deviceFd, block, _start + _layout.BlobOffset) == block.Length && EdidBlock.TryValidate(block, out _);
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
