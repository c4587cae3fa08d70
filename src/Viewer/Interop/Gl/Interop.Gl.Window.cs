internal static partial class Interop
{
    /// <summary>
    /// The GLES 3.0 functions the window's code calls itself (GLES3/gl3.h): scaling the composed
    /// frame into the default framebuffer with glBlitFramebuffer, and the overlay's textures,
    /// uniforms and blending. Loaded once through eglGetProcAddress with a context current.
    /// </summary>
    internal static unsafe partial class Gl
    {
        internal const uint GL_FRAMEBUFFER = 0x8D40;
        internal const uint GL_READ_FRAMEBUFFER = 0x8CA8;
        internal const uint GL_DRAW_FRAMEBUFFER = 0x8CA9;
        internal const uint GL_COLOR_BUFFER_BIT = 0x00004000;
        internal const uint GL_TRIANGLE_STRIP = 0x0005;
        internal const uint GL_BLEND = 0x0BE2;
        internal const uint GL_SRC_ALPHA = 0x0302;
        internal const uint GL_ONE_MINUS_SRC_ALPHA = 0x0303;
        internal const uint GL_TEXTURE_2D = 0x0DE1;
        internal const uint GL_TEXTURE0 = 0x84C0;
        internal const uint GL_TEXTURE_MIN_FILTER = 0x2801;
        internal const uint GL_TEXTURE_MAG_FILTER = 0x2800;
        internal const uint GL_TEXTURE_WRAP_S = 0x2802;
        internal const uint GL_TEXTURE_WRAP_T = 0x2803;
        internal const int GL_NEAREST = 0x2600;
        internal const int GL_LINEAR = 0x2601;
        internal const int GL_CLAMP_TO_EDGE = 0x812F;
        internal const uint GL_UNPACK_ALIGNMENT = 0x0CF5;
        internal const uint GL_UNPACK_ROW_LENGTH = 0x0CF2;
        internal const uint GL_UNSIGNED_BYTE = 0x1401;
        internal const uint GL_RED = 0x1903;
        internal const int GL_R8 = 0x8229;

        private static readonly Lock s_windowLoadLock = new();
        private static bool s_windowLoaded;

        private static delegate* unmanaged<int, int, int, int, int, int, int, int, uint, uint, void> s_glBlitFramebuffer;
        private static delegate* unmanaged<uint, void> s_glEnable;
        private static delegate* unmanaged<uint, void> s_glDisable;
        private static delegate* unmanaged<uint, uint, void> s_glBlendFunc;
        private static delegate* unmanaged<uint, uint, void> s_glBindFramebuffer;
        private static delegate* unmanaged<int, int, int, int, void> s_glViewport;
        private static delegate* unmanaged<float, float, float, float, void> s_glClearColor;
        private static delegate* unmanaged<uint, void> s_glClear;
        private static delegate* unmanaged<uint, int, int, void> s_glDrawArrays;
        private static delegate* unmanaged<int, uint*, void> s_glGenTextures;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteTextures;
        private static delegate* unmanaged<uint, uint, void> s_glBindTexture;
        private static delegate* unmanaged<uint, void> s_glActiveTexture;
        private static delegate* unmanaged<uint, uint, int, void> s_glTexParameteri;
        private static delegate* unmanaged<uint, int, void> s_glPixelStorei;
        private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> s_glTexImage2D;
        private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> s_glTexSubImage2D;
        private static delegate* unmanaged<int, int, void> s_glUniform1i;
        private static delegate* unmanaged<int, float, float, void> s_glUniform2f;
        private static delegate* unmanaged<int, float, float, float, float, void> s_glUniform4f;
        private static delegate* unmanaged<int, uint*, void> s_glGenVertexArrays;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteVertexArrays;
        private static delegate* unmanaged<uint, void> s_glBindVertexArray;

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
                s_glDisable = (delegate* unmanaged<uint, void>)Required("glDisable");
                s_glBlendFunc = (delegate* unmanaged<uint, uint, void>)Required("glBlendFunc");
                s_glBindFramebuffer = (delegate* unmanaged<uint, uint, void>)Required("glBindFramebuffer");
                s_glViewport = (delegate* unmanaged<int, int, int, int, void>)Required("glViewport");
                s_glClearColor = (delegate* unmanaged<float, float, float, float, void>)Required("glClearColor");
                s_glClear = (delegate* unmanaged<uint, void>)Required("glClear");
                s_glDrawArrays = (delegate* unmanaged<uint, int, int, void>)Required("glDrawArrays");
                s_glGenTextures = (delegate* unmanaged<int, uint*, void>)Required("glGenTextures");
                s_glDeleteTextures = (delegate* unmanaged<int, uint*, void>)Required("glDeleteTextures");
                s_glBindTexture = (delegate* unmanaged<uint, uint, void>)Required("glBindTexture");
                s_glActiveTexture = (delegate* unmanaged<uint, void>)Required("glActiveTexture");
                s_glTexParameteri = (delegate* unmanaged<uint, uint, int, void>)Required("glTexParameteri");
                s_glPixelStorei = (delegate* unmanaged<uint, int, void>)Required("glPixelStorei");
                s_glTexImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Required("glTexImage2D");
                s_glTexSubImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Required("glTexSubImage2D");
                s_glUniform1i = (delegate* unmanaged<int, int, void>)Required("glUniform1i");
                s_glUniform2f = (delegate* unmanaged<int, float, float, void>)Required("glUniform2f");
                s_glUniform4f = (delegate* unmanaged<int, float, float, float, float, void>)Required("glUniform4f");
                s_glGenVertexArrays = (delegate* unmanaged<int, uint*, void>)Required("glGenVertexArrays");
                s_glDeleteVertexArrays = (delegate* unmanaged<int, uint*, void>)Required("glDeleteVertexArrays");
                s_glBindVertexArray = (delegate* unmanaged<uint, void>)Required("glBindVertexArray");
                s_windowLoaded = true;
            }
        }

        private static nint Required(string name)
        {
            nint p = Egl.GetProcAddress(name);
            if (p == 0)
            {
                throw new EntryPointNotFoundException($"eglGetProcAddress(\"{name}\") returned NULL: the GL ES 3 driver lacks a function the window needs");
            }

            return p;
        }

        /// <summary>
        /// glBlitFramebuffer from the bound read to the bound draw framebuffer; a destination with
        /// y0 above y1 flips the rows; filter GL_NEAREST or GL_LINEAR.
        /// </summary>
        internal static void BlitFramebuffer(int srcX0, int srcY0, int srcX1, int srcY1, int dstX0, int dstY0, int dstX1, int dstY1, uint mask, int filter) =>
            s_glBlitFramebuffer(srcX0, srcY0, srcX1, srcY1, dstX0, dstY0, dstX1, dstY1, mask, (uint)filter);

        internal static void Enable(uint cap) => s_glEnable(cap);

        internal static void Disable(uint cap) => s_glDisable(cap);

        internal static void BlendFunc(uint source, uint destination) => s_glBlendFunc(source, destination);

        internal static void BindFramebuffer(uint target, uint framebuffer) => s_glBindFramebuffer(target, framebuffer);

        internal static void Viewport(int x, int y, int width, int height) => s_glViewport(x, y, width, height);

        internal static void ClearColor(float r, float g, float b, float a) => s_glClearColor(r, g, b, a);

        internal static void Clear(uint mask) => s_glClear(mask);

        internal static void DrawArrays(uint mode, int first, int count) => s_glDrawArrays(mode, first, count);

        internal static uint GenTexture()
        {
            uint t;
            s_glGenTextures(1, &t);
            return t;
        }

        internal static void DeleteTexture(uint texture) => s_glDeleteTextures(1, &texture);

        internal static void BindTexture(uint target, uint texture) => s_glBindTexture(target, texture);

        internal static void ActiveTexture(uint unit) => s_glActiveTexture(unit);

        internal static void TexParameteri(uint target, uint pname, int param) => s_glTexParameteri(target, pname, param);

        internal static void PixelStorei(uint pname, int param) => s_glPixelStorei(pname, param);

        /// <summary>glTexImage2D with no data: allocates the texture's storage.</summary>
        internal static void TexImage2D(uint target, int internalFormat, int width, int height, uint format, uint type) =>
            s_glTexImage2D(target, 0, internalFormat, width, height, 0, format, type, null);

        internal static void TexSubImage2D(uint target, int x, int y, int width, int height, uint format, uint type, ReadOnlySpan<byte> pixels)
        {
            fixed (byte* p = pixels)
            {
                s_glTexSubImage2D(target, 0, x, y, width, height, format, type, p);
            }
        }

        internal static void Uniform1i(int location, int v) => s_glUniform1i(location, v);

        internal static void Uniform2f(int location, float x, float y) => s_glUniform2f(location, x, y);

        internal static void Uniform4f(int location, float x, float y, float z, float w) => s_glUniform4f(location, x, y, z, w);

        internal static uint GenVertexArray()
        {
            uint v;
            s_glGenVertexArrays(1, &v);
            return v;
        }

        internal static void DeleteVertexArray(uint array) => s_glDeleteVertexArrays(1, &array);

        internal static void BindVertexArray(uint array) => s_glBindVertexArray(array);
    }
}
