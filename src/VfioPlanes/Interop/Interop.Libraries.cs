internal static partial class Interop
{
    /// <summary>The native libraries the project's own imports name (the few libc functions Tmds.LibC does not serve).</summary>
    internal static class Libraries
    {
        internal const string Libc = "libc";
    }
}
