using VgpuView.Viewer.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// Where an <see cref="EglContext"/> comes from: a headless display found and given a GLES 3
/// context of its own (the surfaceless Mesa display, else the first EGL device that gives one),
/// or a window's display and context, borrowed from the library that made them.
/// </summary>
internal sealed partial class EglContext
{
    /// <summary>
    /// Opens the surfaceless Mesa display, else the first EGL device that initialises and gives a
    /// context, and makes a GLES 3 context current on this thread without a surface or config.
    /// </summary>
    public static EglContext Create() => Create(WithContext);

    /// <param name="withContext">Makes the context on an initialised display, or throws an EglException and disposes the display; tests make one platform fail.</param>
    internal static EglContext Create(Func<SafeEglDisplayHandle, string, string?, EglContext> withContext)
    {
        Interop.Egl.LoadClientExtensions();
        string clientExtensions = Interop.Egl.QueryString(Interop.Egl.EGL_NO_HANDLE, Interop.Egl.EGL_EXTENSIONS) ?? string.Empty;
        if (!Interop.Egl.HasPlatformDisplay)
        {
            // eglGetDisplay(EGL_DEFAULT_DISPLAY) is no substitute: without $DISPLAY Mesa fails it
            // with EGL_BAD_ALLOC.
            throw new EglException("eglGetProcAddress(eglGetPlatformDisplayEXT)", Interop.Egl.GetError(), "EGL_EXT_platform_base is missing; client extensions: " + clientExtensions);
        }

        bool surfaceless = HasWord(clientExtensions, "EGL_MESA_platform_surfaceless");
        bool device = HasWord(clientExtensions, "EGL_EXT_platform_device") && Interop.Egl.HasQueryDevices;
        if (!surfaceless && !device)
        {
            // glvnd's libEGL answers for itself, with no client extensions at all, when it found
            // no vendor library to load (none installed, or its vendor files point nowhere).
            throw EglException.Missing("eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS)", clientExtensions.Length == 0
                ? "no EGL vendor library (driver) was found: libEGL loaded none, so there is no display to render on; " +
                  "install one (Mesa's is libegl-mesa0), and check __EGL_VENDOR_LIBRARY_FILENAMES and __EGL_VENDOR_LIBRARY_DIRS if set"
                : $"the EGL implementation offers no headless display (neither EGL_MESA_platform_surfaceless nor EGL_EXT_platform_device); client extensions: {clientExtensions}");
        }

        // Each display tried and why it gave no context; a display that initialises but makes no
        // context (a driver without GLES 3 there) leaves the next one to try.
        var failures = new List<string>();
        bool initialised = false;
        int lastError = Interop.Egl.EGL_SUCCESS;
        if (surfaceless)
        {
            nint dpy = Interop.Egl.GetPlatformDisplayEXT(Interop.Egl.EGL_PLATFORM_SURFACELESS_MESA, 0);
            if (dpy != 0 && Interop.Egl.Initialize(dpy, out _, out _) == Interop.Egl.EGL_TRUE)
            {
                initialised = true;
                try
                {
                    return withContext(SafeEglDisplayHandle.Adopt(dpy), "surfaceless", null);
                }
                catch (EglException e)
                {
                    lastError = e.Error;
                    failures.Add($"surfaceless: {e.Message}");
                }
            }
            else
            {
                lastError = Interop.Egl.GetError();
                failures.Add($"surfaceless: {EglException.ErrorName(lastError)}");
            }
        }

        if (device)
        {
            Span<nint> devices = stackalloc nint[16];
            int count = Interop.Egl.QueryDevicesEXT(devices);
            if (count < 0)
            {
                lastError = Interop.Egl.GetError();
                failures.Add($"eglQueryDevicesEXT: {EglException.ErrorName(lastError)}");
            }

            for (int i = 0; i < count; i++)
            {
                string? file = Interop.Egl.QueryDeviceStringEXT(devices[i], Interop.Egl.EGL_DRM_DEVICE_FILE_EXT);
                string name = file is null ? $"device {i}" : $"device {i} ({file})";
                nint dpy = Interop.Egl.GetPlatformDisplayEXT(Interop.Egl.EGL_PLATFORM_DEVICE_EXT, devices[i]);
                if (dpy != 0 && Interop.Egl.Initialize(dpy, out _, out _) == Interop.Egl.EGL_TRUE)
                {
                    initialised = true;
                    try
                    {
                        return withContext(SafeEglDisplayHandle.Adopt(dpy), "device", file);
                    }
                    catch (EglException e)
                    {
                        lastError = e.Error;
                        failures.Add($"{name}: {e.Message}");
                    }
                }
                else
                {
                    lastError = Interop.Egl.GetError();
                    failures.Add($"{name}: {EglException.ErrorName(lastError)}");
                }
            }
        }

        throw new EglException(
            initialised ? "a headless GLES 3 context" : "eglInitialize",
            lastError,
            $"no headless display (EGL_MESA_platform_surfaceless or EGL_EXT_platform_device) {(initialised ? "gave a GLES 3 context" : "initialised")} [{string.Join("; ", failures)}]; client extensions: {clientExtensions}");
    }

    /// <summary>
    /// Wraps a window's EGL display and GLES 3 context, which another library (GLFW) created, made
    /// current on this thread, and will destroy: the renderer then draws with it, and Dispose
    /// leaves both alone. MakeCurrent finds the context already current and does nothing, so the
    /// window surface stays bound. A GLX window context is passed as EGL_NO_DISPLAY and
    /// EGL_NO_CONTEXT: the GL entry points eglGetProcAddress returns are glvnd's dispatch stubs,
    /// which call into whichever context is current, EGL's or GLX's, and the display then offers
    /// no import (its extension list is the client one).
    /// </summary>
    internal static EglContext Borrow(nint display, nint context, string platform)
    {
        var dpy = SafeEglDisplayHandle.Borrow(display);
        return new EglContext(dpy, SafeEglContextHandle.Borrow(dpy, context), platform, null, borrowed: true);
    }

    /// <summary>Makes a GLES 3 context on <paramref name="display"/> (initialised) current; on failure disposes the display and throws.</summary>
    internal static EglContext WithContext(SafeEglDisplayHandle display, string platform, string? device)
    {
        try
        {
            nint dpy = display.DangerousGetHandle();
            string extensions = Interop.Egl.QueryString(dpy, Interop.Egl.EGL_EXTENSIONS) ?? string.Empty;
            foreach (string needed in (ReadOnlySpan<string>)["EGL_KHR_no_config_context", "EGL_KHR_surfaceless_context"])
            {
                if (!HasWord(extensions, needed))
                {
                    throw new EglException("eglQueryString(EGL_EXTENSIONS)", Interop.Egl.EGL_SUCCESS, $"the {platform} display lacks {needed}, which a headless context needs");
                }
            }

            if (Interop.Egl.BindAPI(Interop.Egl.EGL_OPENGL_ES_API) != Interop.Egl.EGL_TRUE)
            {
                throw EglException.Last("eglBindAPI(EGL_OPENGL_ES_API)");
            }

            // On the surfaceless display eglChooseConfig finds nothing unless a surface type is
            // asked for; a context needs no config at all with EGL_KHR_no_config_context.
            ReadOnlySpan<int> attribs = [Interop.Egl.EGL_CONTEXT_MAJOR_VERSION, 3, Interop.Egl.EGL_CONTEXT_MINOR_VERSION, 0, Interop.Egl.EGL_NONE];
            nint ctx = Interop.Egl.CreateContext(dpy, Interop.Egl.EGL_NO_HANDLE, attribs);
            if (ctx == 0)
            {
                throw EglException.Last("eglCreateContext(GLES 3.0, EGL_NO_CONFIG_KHR)");
            }

            SafeEglContextHandle context = SafeEglContextHandle.Own(display, ctx);
            if (Interop.Egl.MakeCurrent(dpy, 0, 0, ctx) != Interop.Egl.EGL_TRUE)
            {
                int error = Interop.Egl.GetError();
                context.Dispose();
                throw new EglException("eglMakeCurrent(EGL_NO_SURFACE)", error);
            }

            return new EglContext(display, context, platform, device);
        }
        catch
        {
            display.Dispose();
            throw;
        }
    }
}
