internal static partial class Interop
{
    /// <summary>
    /// The native libraries the project's own imports name: the few libc functions Tmds.LibC does
    /// not serve, and the runtime's zlib-ng, whose deflate the PNG writer drives without a stream object.
    /// </summary>
    internal static class Libraries
    {
        internal const string Libc = "libc";
        internal const string CompressionNative = "libSystem.IO.Compression.Native";
    }
}
