using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // The only import that takes a raw fd: SafeFdHandle.ReleaseHandle calls it.
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
