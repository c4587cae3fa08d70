using Microsoft.Win32.SafeHandles;

namespace VgpuView.VfioPlanes.SafeHandles;

/// <summary>An owned file descriptor. fd 0 is valid, so -1 marks "none".</summary>
public sealed class SafeFdHandle : SafeHandleMinusOneIsInvalid
{
    public SafeFdHandle()
        : base(ownsHandle: true)
    {
    }

    internal SafeFdHandle(int fd, bool ownsHandle)
        : base(ownsHandle)
    {
        SetHandle(fd);
    }

    /// <summary>The descriptor number, for messages and for handing a device to a child (fd:N).</summary>
    public int Number => (int)handle;

    protected override bool ReleaseHandle() => Interop.Libc.Close((int)handle) == 0;
}
