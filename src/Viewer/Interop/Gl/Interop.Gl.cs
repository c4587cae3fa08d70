using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The OpenGL ES 3.0 functions the renderer uses (GLES3/gl3.h), plus
    /// GL_OES_EGL_image. Loaded once through eglGetProcAddress with a context current; EGL 1.5
    /// and Mesa return core functions there too.
    /// </summary>
    internal static unsafe partial class Gl
    {
        internal const uint GL_NO_ERROR = 0;
        internal const uint GL_INVALID_OPERATION = 0x0502;
        internal const uint GL_VENDOR = 0x1F00;
        internal const uint GL_RENDERER = 0x1F01;
        internal const uint GL_VERSION = 0x1F02;
        internal const uint GL_EXTENSIONS = 0x1F03;
        internal const uint GL_SHADING_LANGUAGE_VERSION = 0x8B8C;
        internal const uint GL_MAX_TEXTURE_SIZE = 0x0D33;
        internal const uint GL_BLEND = 0x0BE2;

        private static readonly Lock s_loadLock = new();
        private static bool s_loaded;

        private static delegate* unmanaged<uint> s_glGetError;
        private static delegate* unmanaged<uint, byte*> s_glGetString;
        private static delegate* unmanaged<uint, int*, void> s_glGetIntegerv;
        private static delegate* unmanaged<void> s_glFinish;
        private static delegate* unmanaged<uint, void> s_glDisable;
        private static delegate* unmanaged<int, int, int, int, void> s_glViewport;
        private static delegate* unmanaged<float, float, float, float, void> s_glClearColor;
        private static delegate* unmanaged<uint, void> s_glClear;
        private static delegate* unmanaged<uint, int, int, void> s_glDrawArrays;

        /// <summary>Loads every function once. Throws naming the first required one EGL does not return.</summary>
        internal static void Load()
        {
            lock (s_loadLock)
            {
                if (s_loaded)
                {
                    return;
                }

                s_glGetError = (delegate* unmanaged<uint>)Required("glGetError");
                s_glGetString = (delegate* unmanaged<uint, byte*>)Required("glGetString");
                s_glGetIntegerv = (delegate* unmanaged<uint, int*, void>)Required("glGetIntegerv");
                s_glFinish = (delegate* unmanaged<void>)Required("glFinish");
                s_glDisable = (delegate* unmanaged<uint, void>)Required("glDisable");
                s_glViewport = (delegate* unmanaged<int, int, int, int, void>)Required("glViewport");
                s_glClearColor = (delegate* unmanaged<float, float, float, float, void>)Required("glClearColor");
                s_glClear = (delegate* unmanaged<uint, void>)Required("glClear");
                s_glDrawArrays = (delegate* unmanaged<uint, int, int, void>)Required("glDrawArrays");
                LoadTextures();
                LoadShaders();
                LoadFramebuffers();
                s_loaded = true;
            }
        }

        private static nint Required(string name)
        {
            nint p = Egl.GetProcAddress(name);
            if (p == 0)
            {
                throw new EntryPointNotFoundException($"eglGetProcAddress(\"{name}\") returned NULL: the GL ES 3 driver lacks a function the renderer needs");
            }

            return p;
        }

        internal static uint GetError() => s_glGetError();

        internal static string GetString(uint name) => Marshal.PtrToStringUTF8((nint)s_glGetString(name)) ?? string.Empty;

        internal static int GetInteger(uint pname)
        {
            int value;
            s_glGetIntegerv(pname, &value);
            return value;
        }

        internal static void Finish() => s_glFinish();

        internal static void Disable(uint cap) => s_glDisable(cap);

        internal static void Viewport(int x, int y, int width, int height) => s_glViewport(x, y, width, height);

        internal static void ClearColor(float r, float g, float b, float a) => s_glClearColor(r, g, b, a);

        internal static void Clear(uint mask) => s_glClear(mask);

        internal static void DrawArrays(uint mode, int first, int count) => s_glDrawArrays(mode, first, count);
    }
}
