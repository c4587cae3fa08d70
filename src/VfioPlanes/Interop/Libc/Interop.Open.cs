using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_RDONLY = 0x0000;
        internal const int O_WRONLY = 0x0001;
        internal const int O_RDWR = 0x0002;
        internal const int O_CLOEXEC = 0x80000;

        // open(2) returns a C int: only the low 32 bits of the return register are defined, so a
        // SafeHandle return (pointer-sized) would read -1 as 0xFFFFFFFF, a "valid" handle. The
        // import returns int and the wrapper makes the handle.
        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int OpenRaw(string path, int flags, int mode);

        /// <summary>open(2); an invalid handle with errno set on failure.</summary>
        internal static SafeFdHandle Open(string path, int flags, int mode = 0) => new(OpenRaw(path, flags, mode), ownsHandle: true);

        /// <summary>open(2) for a FileStream: flags such as O_NONBLOCK that File.OpenHandle does not offer.</summary>
        internal static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(string path, int flags) => new(OpenRaw(path, flags, 0), ownsHandle: true);
    }
}
