using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Egl
    {
        // EGL_EXT_platform_base, EGL_MESA_platform_surfaceless, EGL_EXT_platform_device (EGL/eglext.h)
        internal const int EGL_PLATFORM_SURFACELESS_MESA = 0x31DD;
        internal const int EGL_PLATFORM_DEVICE_EXT = 0x313F;
        internal const int EGL_DRM_DEVICE_FILE_EXT = 0x3233;

        // EGL_EXT_image_dma_buf_import(_modifiers)
        internal const int EGL_LINUX_DMA_BUF_EXT = 0x3270;
        internal const int EGL_LINUX_DRM_FOURCC_EXT = 0x3271;
        internal const int EGL_DMA_BUF_PLANE0_FD_EXT = 0x3272;
        internal const int EGL_DMA_BUF_PLANE0_OFFSET_EXT = 0x3273;
        internal const int EGL_DMA_BUF_PLANE0_PITCH_EXT = 0x3274;
        internal const int EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT = 0x3443;
        internal const int EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT = 0x3444;

        // Client extensions: loadable before any display exists (EGL_EXT_client_extensions).
        private static delegate* unmanaged<int, nint, int*, nint> s_eglGetPlatformDisplayEXT;
        private static delegate* unmanaged<int, nint*, int*, int> s_eglQueryDevicesEXT;
        private static delegate* unmanaged<nint, int, nint> s_eglQueryDeviceStringEXT;

        // Display extensions: loaded by LoadDisplayExtensions once a display is initialised.
        private static delegate* unmanaged<nint, nint, int, nint, int*, nint> s_eglCreateImageKHR;
        private static delegate* unmanaged<nint, nint, int> s_eglDestroyImageKHR;
        private static delegate* unmanaged<nint, int, int*, int*, int> s_eglQueryDmaBufFormatsEXT;
        private static delegate* unmanaged<nint, int, int, ulong*, int*, int*, int> s_eglQueryDmaBufModifiersEXT;

        private static readonly Lock s_loadLock = new();
        private static bool s_clientLoaded;

        internal static bool HasPlatformDisplay => s_eglGetPlatformDisplayEXT != null;

        internal static bool HasQueryDevices => s_eglQueryDevicesEXT != null;

        internal static bool HasImage => s_eglCreateImageKHR != null && s_eglDestroyImageKHR != null;

        internal static bool HasQueryDmaBufFormats => s_eglQueryDmaBufFormatsEXT != null;

        internal static bool HasQueryDmaBufModifiers => s_eglQueryDmaBufModifiersEXT != null;

        /// <summary>Loads the client extensions once; those the EGL library does not offer stay null.</summary>
        internal static void LoadClientExtensions()
        {
            lock (s_loadLock)
            {
                if (s_clientLoaded)
                {
                    return;
                }

                s_eglGetPlatformDisplayEXT = (delegate* unmanaged<int, nint, int*, nint>)GetProcAddress("eglGetPlatformDisplayEXT");
                s_eglQueryDevicesEXT = (delegate* unmanaged<int, nint*, int*, int>)GetProcAddress("eglQueryDevicesEXT");
                s_eglQueryDeviceStringEXT = (delegate* unmanaged<nint, int, nint>)GetProcAddress("eglQueryDeviceStringEXT");
                s_clientLoaded = true;
            }
        }

        /// <summary>
        /// Loads the image and dma-buf query extensions. eglGetProcAddress returns the same
        /// dispatch stub for every display under glvnd, so loading them again is harmless.
        /// </summary>
        internal static void LoadDisplayExtensions()
        {
            lock (s_loadLock)
            {
                s_eglCreateImageKHR = (delegate* unmanaged<nint, nint, int, nint, int*, nint>)GetProcAddress("eglCreateImageKHR");
                s_eglDestroyImageKHR = (delegate* unmanaged<nint, nint, int>)GetProcAddress("eglDestroyImageKHR");
                s_eglQueryDmaBufFormatsEXT = (delegate* unmanaged<nint, int, int*, int*, int>)GetProcAddress("eglQueryDmaBufFormatsEXT");
                s_eglQueryDmaBufModifiersEXT = (delegate* unmanaged<nint, int, int, ulong*, int*, int*, int>)GetProcAddress("eglQueryDmaBufModifiersEXT");
            }
        }

        internal static nint GetPlatformDisplayEXT(int platform, nint nativeDisplay)
        {
            int none = EGL_NONE;
            return s_eglGetPlatformDisplayEXT(platform, nativeDisplay, &none);
        }

        /// <summary>eglQueryDevicesEXT into <paramref name="devices"/>; the count found, or -1 on failure.</summary>
        internal static int QueryDevicesEXT(Span<nint> devices)
        {
            int count;
            fixed (nint* d = devices)
            {
                if (s_eglQueryDevicesEXT(devices.Length, d, &count) == EGL_FALSE)
                {
                    return -1;
                }
            }

            return count;
        }

        internal static string? QueryDeviceStringEXT(nint device, int name) =>
            s_eglQueryDeviceStringEXT == null ? null : Marshal.PtrToStringUTF8(s_eglQueryDeviceStringEXT(device, name));

        internal static nint CreateImageKHR(nint dpy, int target, ReadOnlySpan<int> attribs)
        {
            fixed (int* a = attribs)
            {
                // EGL_LINUX_DMA_BUF_EXT requires ctx EGL_NO_CONTEXT and buffer NULL.
                return s_eglCreateImageKHR(dpy, EGL_NO_HANDLE, target, 0, a);
            }
        }

        internal static int DestroyImageKHR(nint dpy, nint image) => s_eglDestroyImageKHR(dpy, image);

        /// <summary>eglQueryDmaBufFormatsEXT with max_formats = formats.Length (0 asks for the count).</summary>
        internal static int QueryDmaBufFormatsEXT(nint dpy, Span<int> formats, out int count)
        {
            int n;
            fixed (int* f = formats)
            {
                int ok = s_eglQueryDmaBufFormatsEXT(dpy, formats.Length, formats.Length == 0 ? null : f, &n);
                count = n;
                return ok;
            }
        }

        /// <summary>
        /// eglQueryDmaBufModifiersEXT with max_modifiers = modifiers.Length (0 asks for the count);
        /// <paramref name="externalOnly"/>, as long as <paramref name="modifiers"/>, receives the
        /// EGLBoolean per modifier that says it can be sampled only as GL_TEXTURE_EXTERNAL_OES.
        /// </summary>
        internal static int QueryDmaBufModifiersEXT(nint dpy, int format, Span<ulong> modifiers, Span<int> externalOnly, out int count)
        {
            if (externalOnly.Length != modifiers.Length)
            {
                throw new ArgumentException("one external_only flag per modifier", nameof(externalOnly));
            }

            int n;
            fixed (ulong* m = modifiers)
            fixed (int* e = externalOnly)
            {
                int ok = s_eglQueryDmaBufModifiersEXT(dpy, format, modifiers.Length, modifiers.Length == 0 ? null : m, modifiers.Length == 0 ? null : e, &n);
                count = n;
                return ok;
            }
        }
    }
}
