using Tmds.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int R_OK = 4;
        internal const int W_OK = 2;
        internal const int X_OK = 1;

        /// <summary>access(2) with the real uid and gid: 0 when the caller may, else -1 with errno.</summary>
        internal static unsafe int Access(string path, int mode)
        {
            Span<byte> buffer = stackalloc byte[CString.StackBytes];
            fixed (byte* p = CString.Utf8(path, buffer))
            {
                return LibC.access(p, mode);
            }
        }
    }
}
