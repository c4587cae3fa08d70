using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.Edid;
using VgpuView.VfioPlanes.SafeHandles;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The EDID region of the simulated vGPU (linux/vfio.h, struct vfio_region_gfx_edid) in the
/// device file: its header, the blob after it, and the rules for writing them. Bringing the link
/// up with a blob reports the blob's preferred mode for the device to switch the guest to.
/// </summary>
internal sealed class SimEdidRegion
{
    /// <summary>The region's index (VFIO_REGION_SUBTYPE_GFX_EDID).</summary>
    internal const uint Index = 9;

    /// <summary>Where the blob starts within the region (the header's edid_offset).</summary>
    internal const uint BlobOffset = 0x100;

    /// <summary>The region's size.</summary>
    internal const uint Size = 0x1000;

    private static readonly int s_headerSize = Marshal.SizeOf<vfio_region_gfx_edid>();

    private readonly SafeFdHandle _deviceFd;
    private readonly string _name;
    private readonly long _start;
    private uint _edidSize;
    private uint _linkState;

    /// <param name="deviceFd">The device file the region lives in, at <see cref="Index"/> &lt;&lt; <see cref="SimRegionTable.RegionShift"/>.</param>
    /// <param name="name">The device's name, for messages.</param>
    /// <param name="maxX">The header's max_xres.</param>
    /// <param name="maxY">The header's max_yres.</param>
    internal SimEdidRegion(SafeFdHandle deviceFd, string name, uint maxX, uint maxY)
    {
        _deviceFd = deviceFd;
        _name = name;
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
            Errno.CheckIo(Interop.Libc.PWrite(_deviceFd, blob, _start + BlobOffset), "pwrite", _name + " EDID blob");
            _edidSize = (uint)blob.Length;
            _linkState = VFIO_DEVICE_GFX_LINK_STATE_UP;
        }

        WriteHeader();
    }

    /// <summary>
    /// A write of <paramref name="buffer"/> at <paramref name="offset"/> within the region: 0 or an
    /// errno. edid_size and link_state are the writable fields of the header, written as whole
    /// 32-bit words; the blob goes at edid_offset. When the write brings the link up with a blob
    /// that has a preferred timing, <paramref name="linked"/> is that mode.
    /// </summary>
    public int Write(ReadOnlySpan<byte> buffer, long offset, out SimMode? linked)
    {
        linked = null;
        if (offset >= BlobOffset)
        {
            if (offset + buffer.Length > Size)
            {
                return Errno.EINVAL;
            }

            nint n = Interop.Libc.PWrite(_deviceFd, buffer, _start + offset);
            return n < 0 ? Marshal.GetLastPInvokeError() : 0;
        }

        if (offset % 4 != 0 || buffer.Length % 4 != 0 || offset + buffer.Length > s_headerSize)
        {
            return Errno.EINVAL;
        }

        bool linkUp = false;
        for (int i = 0; i < buffer.Length; i += 4)
        {
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice(i, 4));
            switch ((offset + i) / 4)
            {
                case 2: // edid_size
                    if (value > Size - BlobOffset)
                    {
                        return Errno.EINVAL;
                    }

                    _edidSize = value;
                    break;
                case 5: // link_state
                    if (value is not (VFIO_DEVICE_GFX_LINK_STATE_UP or VFIO_DEVICE_GFX_LINK_STATE_DOWN))
                    {
                        return Errno.EINVAL;
                    }

                    linkUp = value == VFIO_DEVICE_GFX_LINK_STATE_UP && _linkState != VFIO_DEVICE_GFX_LINK_STATE_UP;
                    _linkState = value;
                    break;
                default:
                    // Read-only fields: rewriting the same value is harmless, changing it is not allowed.
                    if (value != ReadOnlyWord((int)((offset + i) / 4)))
                    {
                        return Errno.EINVAL;
                    }

                    break;
            }
        }

        WriteHeader();
        if (linkUp)
        {
            linked = PreferredMode();
        }

        return 0;
    }

    private void WriteHeader()
    {
        var header = new vfio_region_gfx_edid
        {
            edid_offset = BlobOffset,
            edid_max_size = Size - BlobOffset,
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
        0 => BlobOffset,
        1 => Size - BlobOffset,
        3 => MaxX,
        4 => MaxY,
        _ => 0,
    };

    // The preferred timing of the blob now in the region, if it parses and has one.
    private SimMode? PreferredMode()
    {
        byte[] blob = new byte[_edidSize];
        if (Interop.Libc.PRead(_deviceFd, blob, _start + BlobOffset) != blob.Length || !EdidBlock.TryParse(blob, out EdidBlock? edid, out _) ||
            edid!.Preferred is not { Width: > 0, Height: > 0 } preferred)
        {
            return null;
        }

        return new SimMode(preferred.Width, preferred.Height);
    }
}
