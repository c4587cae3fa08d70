using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>EGL 1.4/1.5 core entry points (EGL/egl.h), exported by glvnd's libEGL.so.1.</summary>
    internal static unsafe partial class Egl
    {
        internal const int EGL_FALSE = 0;
        internal const int EGL_TRUE = 1;
        internal const int EGL_NONE = 0x3038;
        internal const int EGL_SUCCESS = 0x3000;
        internal const int EGL_VENDOR = 0x3053;
        internal const int EGL_VERSION = 0x3054;
        internal const int EGL_EXTENSIONS = 0x3055;
        internal const int EGL_CLIENT_APIS = 0x308D;
        internal const int EGL_OPENGL_ES_API = 0x30A0;
        internal const int EGL_CONTEXT_MAJOR_VERSION = 0x3098;
        internal const int EGL_CONTEXT_MINOR_VERSION = 0x30FB;
        internal const int EGL_WIDTH = 0x3057;
        internal const int EGL_HEIGHT = 0x3056;

        // EGL_NO_DISPLAY, EGL_NO_CONTEXT, EGL_NO_SURFACE, EGL_NO_CONFIG_KHR, EGL_NO_IMAGE_KHR and
        // EGL_NO_DEVICE_EXT are all the null handle.
        internal const nint EGL_NO_HANDLE = 0;

        [LibraryImport(Libraries.Egl, EntryPoint = "eglGetError")]
        internal static partial int GetError();

        [LibraryImport(Libraries.Egl, EntryPoint = "eglGetProcAddress", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint GetProcAddress(string procname);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglInitialize")]
        internal static partial int Initialize(nint dpy, out int major, out int minor);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglTerminate")]
        internal static partial int Terminate(nint dpy);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglQueryString")]
        private static partial nint QueryStringRaw(nint dpy, int name);

        /// <summary>eglQueryString; null where EGL returns NULL (dpy EGL_NO_DISPLAY and no client extensions).</summary>
        internal static string? QueryString(nint dpy, int name) => Marshal.PtrToStringUTF8(QueryStringRaw(dpy, name));

        [LibraryImport(Libraries.Egl, EntryPoint = "eglBindAPI")]
        internal static partial int BindAPI(int api);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglCreateContext")]
        private static partial nint CreateContextRaw(nint dpy, nint config, nint shareContext, int* attribList);

        internal static nint CreateContext(nint dpy, nint config, ReadOnlySpan<int> attribs)
        {
            fixed (int* a = attribs)
            {
                return CreateContextRaw(dpy, config, 0, a);
            }
        }

        [LibraryImport(Libraries.Egl, EntryPoint = "eglDestroyContext")]
        internal static partial int DestroyContext(nint dpy, nint ctx);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglMakeCurrent")]
        internal static partial int MakeCurrent(nint dpy, nint draw, nint read, nint ctx);

        [LibraryImport(Libraries.Egl, EntryPoint = "eglGetCurrentContext")]
        internal static partial nint GetCurrentContext();

        [LibraryImport(Libraries.Egl, EntryPoint = "eglReleaseThread")]
        internal static partial int ReleaseThread();
    }
}
