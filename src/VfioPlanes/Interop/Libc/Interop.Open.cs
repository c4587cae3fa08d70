using Microsoft.Win32.SafeHandles;
using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_RDONLY = 0x0000;
        internal const int O_WRONLY = 0x0001;
        internal const int O_RDWR = 0x0002;
        internal const int O_CLOEXEC = 0x80000;

        // open(2) returns a C int; the handle is made from that int, so -1 gives an invalid handle.
        private static unsafe int OpenRaw(string path, int flags, int mode)
        {
            Span<byte> buffer = stackalloc byte[CString.StackBytes];
            fixed (byte* p = CString.Utf8(path, buffer))
            {
                return LibC.open(p, flags, (ushort)mode);
            }
        }

        /// <summary>open(2); an invalid handle with errno set on failure.</summary>
        internal static SafeFdHandle Open(string path, int flags, int mode = 0) => new(OpenRaw(path, flags, mode), ownsHandle: true);

        /// <summary>open(2) for a FileStream: flags such as O_NONBLOCK that File.OpenHandle does not offer.</summary>
        internal static SafeFileHandle OpenFile(string path, int flags) => new(OpenRaw(path, flags, 0), ownsHandle: true);
    }
}
