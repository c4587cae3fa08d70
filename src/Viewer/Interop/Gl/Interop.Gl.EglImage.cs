internal static partial class Interop
{
    /// <summary>
    /// GL_OES_EGL_image (GLES2/gl2ext.h), which Silk.NET.OpenGL does not bind: the one GL function
    /// the renderer calls through a pointer of its own.
    /// </summary>
    internal static unsafe partial class Gl
    {
        private static delegate* unmanaged<uint, nint, void> s_glEGLImageTargetTexture2DOES;

        /// <summary>
        /// Loads glEGLImageTargetTexture2DOES; call it only once the current context lists
        /// GL_OES_EGL_image, since glvnd's eglGetProcAddress returns a stub for any name. False
        /// when EGL returns no function at all.
        /// </summary>
        internal static bool LoadEglImageTarget()
        {
            // Under glvnd the stub is the same for every context and dispatches to the current one.
            s_glEGLImageTargetTexture2DOES = (delegate* unmanaged<uint, nint, void>)Egl.GetProcAddress("glEGLImageTargetTexture2DOES");
            return s_glEGLImageTargetTexture2DOES != null;
        }

        /// <summary>Makes the texture bound to <paramref name="target"/> a view of the EGLImage.</summary>
        internal static void EGLImageTargetTexture2DOES(uint target, nint image) => s_glEGLImageTargetTexture2DOES(target, image);
    }
}
