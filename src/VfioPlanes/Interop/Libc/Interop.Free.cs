using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // For memory libc hands out with malloc (realpath with a NULL buffer).
        [LibraryImport(Libraries.Libc, EntryPoint = "free")]
        internal static unsafe partial void Free(void* ptr);
    }
}
