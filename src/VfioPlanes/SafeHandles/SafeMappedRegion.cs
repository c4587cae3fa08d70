using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes.SafeHandles;

/// <summary>
/// An mmap'd range. The mapping holds its own reference on the file, so the fd it was
/// made from may be closed first (mmap(2)); ReleaseHandle unmaps.
/// </summary>
public sealed unsafe class SafeMappedRegion : SafeBuffer
{
    private readonly nuint _length;

    public SafeMappedRegion()
        : base(ownsHandle: true)
    {
    }

    private SafeMappedRegion(nint address, nuint length)
        : base(ownsHandle: true)
    {
        _length = length;
        SetHandle(address);
        Initialize(length);
    }

    public long Length => (long)_length;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> at <paramref name="offset"/>.</summary>
    public static SafeMappedRegion Map(SafeFdHandle fd, long offset, long length, bool writable, string what)
    {
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"cannot map {what}: length must be positive");
        }

        int prot = Interop.Libc.PROT_READ | (writable ? Interop.Libc.PROT_WRITE : 0);
        nint address = Interop.Libc.MMap(0, (nuint)length, prot, Interop.Libc.MAP_SHARED, fd, offset);
        if (address == Interop.Libc.MAP_FAILED)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw Errno.ExceptionFor(errno, "mmap", what);
        }

        return new SafeMappedRegion(address, (nuint)length);
    }

    /// <summary>The mapped bytes. Valid while this handle is alive and not disposed; callers keep it alive.</summary>
    public Span<byte> GetSpan()
    {
        if (IsClosed)
        {
            throw new ObjectDisposedException(nameof(SafeMappedRegion));
        }

        return new Span<byte>((void*)handle, checked((int)_length));
    }

    protected override bool ReleaseHandle() => Interop.Libc.MUnmap(handle, _length) == 0;
}
