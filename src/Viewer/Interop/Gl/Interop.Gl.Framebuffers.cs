internal static partial class Interop
{
    internal static unsafe partial class Gl
    {
        internal const uint GL_FRAMEBUFFER = 0x8D40;
        internal const uint GL_RENDERBUFFER = 0x8D41;
        internal const uint GL_COLOR_ATTACHMENT0 = 0x8CE0;
        internal const uint GL_FRAMEBUFFER_COMPLETE = 0x8CD5;
        internal const uint GL_COLOR_BUFFER_BIT = 0x00004000;

        private static delegate* unmanaged<int, uint*, void> s_glGenFramebuffers;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteFramebuffers;
        private static delegate* unmanaged<uint, uint, void> s_glBindFramebuffer;
        private static delegate* unmanaged<uint, uint> s_glCheckFramebufferStatus;
        private static delegate* unmanaged<int, uint*, void> s_glGenRenderbuffers;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteRenderbuffers;
        private static delegate* unmanaged<uint, uint, void> s_glBindRenderbuffer;
        private static delegate* unmanaged<uint, uint, int, int, void> s_glRenderbufferStorage;
        private static delegate* unmanaged<uint, uint, uint, uint, void> s_glFramebufferRenderbuffer;
        private static delegate* unmanaged<int, int, int, int, uint, uint, void*, void> s_glReadPixels;

        private static void LoadFramebuffers()
        {
            s_glGenFramebuffers = (delegate* unmanaged<int, uint*, void>)Required("glGenFramebuffers");
            s_glDeleteFramebuffers = (delegate* unmanaged<int, uint*, void>)Required("glDeleteFramebuffers");
            s_glBindFramebuffer = (delegate* unmanaged<uint, uint, void>)Required("glBindFramebuffer");
            s_glCheckFramebufferStatus = (delegate* unmanaged<uint, uint>)Required("glCheckFramebufferStatus");
            s_glGenRenderbuffers = (delegate* unmanaged<int, uint*, void>)Required("glGenRenderbuffers");
            s_glDeleteRenderbuffers = (delegate* unmanaged<int, uint*, void>)Required("glDeleteRenderbuffers");
            s_glBindRenderbuffer = (delegate* unmanaged<uint, uint, void>)Required("glBindRenderbuffer");
            s_glRenderbufferStorage = (delegate* unmanaged<uint, uint, int, int, void>)Required("glRenderbufferStorage");
            s_glFramebufferRenderbuffer = (delegate* unmanaged<uint, uint, uint, uint, void>)Required("glFramebufferRenderbuffer");
            s_glReadPixels = (delegate* unmanaged<int, int, int, int, uint, uint, void*, void>)Required("glReadPixels");
        }

        internal static uint GenFramebuffer()
        {
            uint f;
            s_glGenFramebuffers(1, &f);
            return f;
        }

        internal static void DeleteFramebuffer(uint framebuffer) => s_glDeleteFramebuffers(1, &framebuffer);

        internal static void BindFramebuffer(uint target, uint framebuffer) => s_glBindFramebuffer(target, framebuffer);

        internal static uint CheckFramebufferStatus(uint target) => s_glCheckFramebufferStatus(target);

        internal static uint GenRenderbuffer()
        {
            uint r;
            s_glGenRenderbuffers(1, &r);
            return r;
        }

        internal static void DeleteRenderbuffer(uint renderbuffer) => s_glDeleteRenderbuffers(1, &renderbuffer);

        internal static void BindRenderbuffer(uint target, uint renderbuffer) => s_glBindRenderbuffer(target, renderbuffer);

        internal static void RenderbufferStorage(uint target, uint internalFormat, int width, int height) =>
            s_glRenderbufferStorage(target, internalFormat, width, height);

        internal static void FramebufferRenderbuffer(uint target, uint attachment, uint renderbufferTarget, uint renderbuffer) =>
            s_glFramebufferRenderbuffer(target, attachment, renderbufferTarget, renderbuffer);

        /// <summary>glReadPixels of RGBA bytes, rows of width * 4 bytes (GL_PACK_ALIGNMENT 4 holds for RGBA).</summary>
        internal static void ReadPixels(int x, int y, int width, int height, Span<byte> rgba)
        {
            if (rgba.Length < checked(width * height * 4))
            {
                throw new ArgumentException($"readback buffer of {rgba.Length} bytes is below {width}x{height} RGBA", nameof(rgba));
            }

            fixed (byte* p = rgba)
            {
                s_glReadPixels(x, y, width, height, GL_RGBA, GL_UNSIGNED_BYTE, p);
            }
        }
    }
}
