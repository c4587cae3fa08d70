internal static partial class Interop
{
    /// <summary>
    /// The GLES 3.0 functions only the window uses (GLES3/gl3.h): scaling the composed frame into
    /// the default framebuffer with glBlitFramebuffer, and blending the overlay over it.
    /// </summary>
    internal static unsafe partial class Gl
    {
        internal const uint GL_READ_FRAMEBUFFER = 0x8CA8;
        internal const uint GL_DRAW_FRAMEBUFFER = 0x8CA9;
        internal const int GL_LINEAR = 0x2601;
        internal const uint GL_SRC_ALPHA = 0x0302;
        internal const uint GL_ONE_MINUS_SRC_ALPHA = 0x0303;

        private static readonly Lock s_windowLoadLock = new();
        private static bool s_windowLoaded;

        private static delegate* unmanaged<int, int, int, int, int, int, int, int, uint, uint, void> s_glBlitFramebuffer;
        private static delegate* unmanaged<uint, void> s_glEnable;
        private static delegate* unmanaged<uint, uint, void> s_glBlendFunc;

        /// <summary>Loads the window's functions once, with a context current. Throws naming a missing one.</summary>
        internal static void LoadWindow()
        {
            lock (s_windowLoadLock)
            {
                if (s_windowLoaded)
                {
                    return;
                }

                s_glBlitFramebuffer = (delegate* unmanaged<int, int, int, int, int, int, int, int, uint, uint, void>)Required("glBlitFramebuffer");
                s_glEnable = (delegate* unmanaged<uint, void>)Required("glEnable");
                s_glBlendFunc = (delegate* unmanaged<uint, uint, void>)Required("glBlendFunc");
                s_windowLoaded = true;
            }
        }

        /// <summary>
        /// glBlitFramebuffer from the bound read to the bound draw framebuffer; a destination with
        /// y0 above y1 flips the rows; filter GL_NEAREST or GL_LINEAR.
        /// </summary>
        internal static void BlitFramebuffer(int srcX0, int srcY0, int srcX1, int srcY1, int dstX0, int dstY0, int dstX1, int dstY1, uint mask, int filter) =>
            s_glBlitFramebuffer(srcX0, srcY0, srcX1, srcY1, dstX0, dstY0, dstX1, dstY1, mask, (uint)filter);

        internal static void Enable(uint cap) => s_glEnable(cap);

        internal static void BlendFunc(uint source, uint destination) => s_glBlendFunc(source, destination);
    }
}
