internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
        internal const string Z = "libz.so.1";
        internal const string CompressionNative = "libSystem.IO.Compression.Native";
    }
}
