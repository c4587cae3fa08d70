using Silk.NET.OpenGL;
using VgpuView.Viewer.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// An EGL display without a window system and a GLES 3 context on it, current on the creating
/// thread (the render thread). Everything GL built on it must be disposed on that thread.
/// </summary>
internal sealed class HeadlessEgl : IDisposable
{
    private readonly SafeEglDisplayHandle _display;
    private readonly SafeEglContextHandle _context;
    private readonly HashSet<string> _extensions;
    private readonly Dictionary<uint, bool> _importableFormats = [];
    private readonly Dictionary<uint, (ulong[] Modifiers, int[] ExternalOnly)> _modifiers = [];
    private readonly bool _borrowed;
    private bool _disposed;

    private HeadlessEgl(SafeEglDisplayHandle display, SafeEglContextHandle context, string platform, string? device, bool borrowed = false)
    {
        _borrowed = borrowed;
        _display = display;
        _context = context;
        Platform = platform;
        Device = device;
        nint dpy = display.DangerousGetHandle();
        _extensions = new HashSet<string>((Interop.Egl.QueryString(dpy, Interop.Egl.EGL_EXTENSIONS) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        EglVendor = Interop.Egl.QueryString(dpy, Interop.Egl.EGL_VENDOR) ?? string.Empty;
        EglVersion = Interop.Egl.QueryString(dpy, Interop.Egl.EGL_VERSION) ?? string.Empty;
        Interop.Gl.Load();
        Gl = GL.GetApi(name => Interop.Egl.GetProcAddress(name));
        GlVendor = Interop.Gl.GetString(Interop.Gl.GL_VENDOR);
        GlRenderer = Interop.Gl.GetString(Interop.Gl.GL_RENDERER);
        GlVersion = Interop.Gl.GetString(Interop.Gl.GL_VERSION);
        MaxTextureSize = Interop.Gl.GetInteger(Interop.Gl.GL_MAX_TEXTURE_SIZE);
        Interop.Egl.LoadDisplayExtensions();

        // Under glvnd eglGetProcAddress returns a dispatch stub for any gl* name, so a non-null
        // glEGLImageTargetTexture2DOES proves nothing: the context must list the extension.
        bool glEglImage = Interop.Gl.HasEglImageTarget && HasWord(Interop.Gl.GetString(Interop.Gl.GL_EXTENSIONS), "GL_OES_EGL_image");
        NoImportReason =
            IsGlx ? "the window's context is GLX's, and dma-buf import needs an EGL display"
            : !_extensions.Contains("EGL_EXT_image_dma_buf_import") ? "the EGL display offers no EGL_EXT_image_dma_buf_import"
            : !_extensions.Contains("EGL_KHR_image_base") || !Interop.Egl.HasImage ? "the EGL display offers no EGL_KHR_image_base"
            : !glEglImage ? "the GL context offers no GL_OES_EGL_image to bind an imported image"
            : null;
        CanImportDmaBuf = NoImportReason is null;
        HasModifiers = CanImportDmaBuf && _extensions.Contains("EGL_EXT_image_dma_buf_import_modifiers")
            && Interop.Egl.HasQueryDmaBufFormats && Interop.Egl.HasQueryDmaBufModifiers;
    }

    /// <summary>"surfaceless" or "device", or the window system of a borrowed window context.</summary>
    public string Platform { get; }

    /// <summary>The GL functions of this context, loaded through eglGetProcAddress while it is current.</summary>
    public GL Gl { get; }

    /// <summary>A borrowed GLX window context: no EGL display (EGL_NO_DISPLAY), so no EGL vendor, version or import.</summary>
    public bool IsGlx => _borrowed && _display.DangerousGetHandle() == 0;

    /// <summary>The DRM device file of an EGL_PLATFORM_DEVICE_EXT display, where it has one.</summary>
    public string? Device { get; }

    public string EglVendor { get; }

    public string EglVersion { get; }

    public string GlVendor { get; }

    public string GlRenderer { get; }

    public string GlVersion { get; }

    public int MaxTextureSize { get; }

    /// <summary>
    /// A software renderer (Mesa's llvmpipe or softpipe): it has no GPU to hand a dma-buf to, so
    /// an imported image is sampled through a CPU mapping of the buffer, and one the CPU cannot
    /// map yields an image that faults when drawn or read (Mesa only prints a warning).
    /// </summary>
    public bool ReadsDmaBufThroughCpu => GlRenderer.StartsWith("llvmpipe", StringComparison.Ordinal) || GlRenderer.StartsWith("softpipe", StringComparison.Ordinal);

    /// <summary>EGL_EXT_image_dma_buf_import on this display, and GL_OES_EGL_image to bind the images.</summary>
    public bool CanImportDmaBuf { get; }

    /// <summary>Which of those is missing; null when <see cref="CanImportDmaBuf"/>.</summary>
    public string? NoImportReason { get; }

    /// <summary>EGL_EXT_image_dma_buf_import_modifiers: the driver lists formats and modifiers.</summary>
    public bool HasModifiers { get; }

    internal SafeEglDisplayHandle Display => _display;

    /// <summary>
    /// Opens the surfaceless Mesa display, else the first EGL device that initialises and gives a
    /// context, and makes a GLES 3 context current on this thread without a surface or config.
    /// </summary>
    public static HeadlessEgl Create() => Create(WithContext);

    /// <param name="withContext">Makes the context on an initialised display, or throws an EglException and disposes the display; tests make one platform fail.</param>
    internal static HeadlessEgl Create(Func<SafeEglDisplayHandle, string, string?, HeadlessEgl> withContext)
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
    internal static HeadlessEgl Borrow(nint display, nint context, string platform)
    {
        var dpy = SafeEglDisplayHandle.Borrow(display);
        return new HeadlessEgl(dpy, SafeEglContextHandle.Borrow(dpy, context), platform, null, borrowed: true);
    }

    /// <summary>Makes a GLES 3 context on <paramref name="display"/> (initialised) current; on failure disposes the display and throws.</summary>
    internal static HeadlessEgl WithContext(SafeEglDisplayHandle display, string platform, string? device)
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

            return new HeadlessEgl(display, context, platform, device);
        }
        catch
        {
            display.Dispose();
            throw;
        }
    }

    private static bool HasWord(string list, string word)
    {
        foreach (Range r in list.AsSpan().Split(' '))
        {
            if (list.AsSpan()[r].SequenceEqual(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the driver lists <paramref name="fourcc"/> for import (every listed format when it cannot list).</summary>
    public bool IsImportable(uint fourcc)
    {
        if (!CanImportDmaBuf)
        {
            return false;
        }

        if (!HasModifiers)
        {
            // Without _modifiers the driver cannot say; the first draw tells (CheckImport).
            return true;
        }

        if (!_importableFormats.TryGetValue(fourcc, out bool listed))
        {
            nint dpy = _display.DangerousGetHandle();
            if (Interop.Egl.QueryDmaBufFormatsEXT(dpy, [], out int count) != Interop.Egl.EGL_TRUE)
            {
                throw EglException.Last("eglQueryDmaBufFormatsEXT");
            }

            int[] formats = new int[count];
            if (Interop.Egl.QueryDmaBufFormatsEXT(dpy, formats, out count) != Interop.Egl.EGL_TRUE)
            {
                throw EglException.Last("eglQueryDmaBufFormatsEXT");
            }

            listed = Array.IndexOf(formats, unchecked((int)fourcc), 0, count) >= 0;
            _importableFormats[fourcc] = listed;
        }

        return listed;
    }

    /// <summary>How the driver lists <paramref name="modifier"/> for <paramref name="fourcc"/> (eglQueryDmaBufModifiersEXT).</summary>
    public ModifierListing ListingOf(uint fourcc, ulong modifier)
    {
        if (!HasModifiers || !IsImportable(fourcc))
        {
            return ModifierListing.Unknown;
        }

        if (!_modifiers.TryGetValue(fourcc, out var listing))
        {
            nint dpy = _display.DangerousGetHandle();
            if (Interop.Egl.QueryDmaBufModifiersEXT(dpy, unchecked((int)fourcc), [], [], out int count) != Interop.Egl.EGL_TRUE)
            {
                throw EglException.Last("eglQueryDmaBufModifiersEXT");
            }

            listing = (new ulong[count], new int[count]);
            if (Interop.Egl.QueryDmaBufModifiersEXT(dpy, unchecked((int)fourcc), listing.Modifiers, listing.ExternalOnly, out count) != Interop.Egl.EGL_TRUE)
            {
                throw EglException.Last("eglQueryDmaBufModifiersEXT");
            }

            listing = (listing.Modifiers[..count], listing.ExternalOnly[..count]);
            _modifiers[fourcc] = listing;
        }

        return ModifierListings.Find(listing.Modifiers, listing.ExternalOnly, modifier);
    }

    /// <summary>
    /// Makes this context current on the calling thread unless it already is. Several renderers
    /// may share a thread (a capture beside a window); GL names mean nothing outside their context.
    /// </summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        nint ctx = _context.DangerousGetHandle();
        if (Interop.Egl.GetCurrentContext() != ctx
            && Interop.Egl.MakeCurrent(_display.DangerousGetHandle(), 0, 0, ctx) != Interop.Egl.EGL_TRUE)
        {
            throw EglException.Last("eglMakeCurrent(EGL_NO_SURFACE)");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_borrowed)
        {
            Interop.Egl.MakeCurrent(_display.DangerousGetHandle(), 0, 0, 0);
        }

        _context.Dispose();
        _display.Dispose();
    }
}
