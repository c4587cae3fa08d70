using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int R_OK = 4;
        internal const int W_OK = 2;

        /// <summary>access(2) with the real uid and gid: 0 when the caller may, else -1 with errno.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Access(string path, int mode);
    }
}
