using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // Declared here: Tmds.LibC has neither realpath nor free, and .NET has no call that resolves
        // every symbolic link along a path (Path.GetFullPath does not look at the filesystem, and
        // ResolveLinkTarget follows the last component only). With a NULL buffer, realpath(3)
        // returns a malloc'd string the caller frees.
        [LibraryImport(Libraries.Libc, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static unsafe partial byte* RealPathRaw(string path, byte* resolved);

        [LibraryImport(Libraries.Libc, EntryPoint = "free")]
        private static unsafe partial void Free(void* ptr);

        /// <summary>The canonical absolute path of <paramref name="path"/> with every symlink resolved, or null (errno set).</summary>
        internal static unsafe string? RealPath(string path)
        {
            byte* p = RealPathRaw(path, null);
            if (p == null)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8((nint)p);
            }
            finally
            {
                Free(p);
            }
        }
    }
}
