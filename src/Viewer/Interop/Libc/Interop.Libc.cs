using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int X_OK = 1;
        internal const int W_OK = 2;

        /// <summary>access(2): 0 when the caller may, else -1 with errno (EACCES, EROFS, ...).</summary>
        [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Access(string path, int mode);
    }
}
