using Tmds.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>close(2). The only wrapper that takes a raw fd: SafeFdHandle.ReleaseHandle calls it.</summary>
        internal static int Close(int fd) => LibC.close(fd);
    }
}
