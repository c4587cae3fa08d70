using Silk.NET.OpenGL;
using VgpuView.Viewer.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// An EGL display and a GLES 3 context on it: made headless (<see cref="Create()"/>) or borrowed
/// from a window (<see cref="Borrow"/>), current on the render thread, with the GL functions of
/// that context (<see cref="Gl"/>) and what its driver offers for dma-buf import. Everything GL
/// built on it must be deleted on that thread.
/// </summary>
internal sealed partial class EglContext : IDisposable
{
    private readonly SafeEglDisplayHandle _display;
    private readonly SafeEglContextHandle _context;
    private readonly HashSet<string> _extensions;
    private readonly Dictionary<uint, bool> _importableFormats = [];
    private readonly Dictionary<uint, (ulong[] Modifiers, int[] ExternalOnly)> _modifiers = [];
    private readonly bool _borrowed;
    private bool _disposed;

    private EglContext(SafeEglDisplayHandle display, SafeEglContextHandle context, string platform, string? device, bool borrowed = false)
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
        Gl = GL.GetApi(name => Interop.Egl.GetProcAddress(name));
        GlVendor = Gl.GetStringS(StringName.Vendor) ?? string.Empty;
        GlRenderer = Gl.GetStringS(StringName.Renderer) ?? string.Empty;
        GlVersion = Gl.GetStringS(StringName.Version) ?? string.Empty;
        MaxTextureSize = Gl.GetInteger(GetPName.MaxTextureSize);
        Interop.Egl.LoadDisplayExtensions();

        // Under glvnd eglGetProcAddress returns a dispatch stub for any gl* name, so a non-null
        // glEGLImageTargetTexture2DOES proves nothing: the context must list the extension, and
        // only then is the function loaded.
        bool glEglImage = HasWord(Gl.GetStringS(StringName.Extensions) ?? string.Empty, "GL_OES_EGL_image") && Interop.Gl.LoadEglImageTarget();
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
            // Without _modifiers the driver cannot say; the first draw tells (GpuCompositor.CheckFirstDraw).
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
