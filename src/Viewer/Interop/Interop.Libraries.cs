internal static partial class Interop
{
    internal static class Libraries
    {
        // glvnd's dispatch library, by its versioned soname: the unversioned libEGL.so link only
        // exists where the -dev package is installed.
        internal const string Egl = "libEGL.so.1";

        // Debian's libglfw3 ships only the versioned soname; libglfw.so comes with libglfw3-dev.
        internal const string Glfw = "libglfw.so.3";
    }
}
