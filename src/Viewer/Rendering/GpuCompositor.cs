using Silk.NET.OpenGL;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// Renders a primary plane and a cursor with GL ES 3 into an offscreen framebuffer and reads the
/// result back as RGBA: the draw of one frame, the check that an import's first draw worked, and
/// the log of which path each plane takes. Owns the context (or a borrowed window's), its
/// <see cref="TextureStore"/>, programs and target; every method runs on the render thread, the
/// thread that created it.
/// </summary>
public sealed partial class GpuCompositor : IDisposable
{
    private readonly TextWriter _log;
    private readonly EglContext _egl;
    private readonly GL _gl;
    private readonly ImportPolicy _policy;
    private readonly TextureStore _textures;
    private readonly PlanePrograms _programs;
    private readonly OffscreenTarget _target;
    private readonly uint _vertexArray;
    private readonly (PlanePath Path, string? Reason, bool Logged)[] _loggedPath = new (PlanePath, string?, bool)[3];
    private bool _disposed;

    /// <param name="log">Where the info lines go (which path each plane takes).</param>
    /// <param name="allowImport">False forces the upload path everywhere (tests, benchmarks, a broken driver).</param>
    public GpuCompositor(TextWriter log, bool allowImport = true)
        : this(log, CreateHeadless(), allowImport)
    {
    }

    /// <summary>Renders with <paramref name="egl"/>'s context (a window's, borrowed), which it disposes with itself.</summary>
    internal GpuCompositor(TextWriter log, EglContext egl, bool allowImport)
    {
        _log = log;
        _egl = egl;
        _gl = egl.Gl;
        _policy = new ImportPolicy(egl, allowImport);
        _textures = new TextureStore(egl, _policy, Stats);
        _target = new OffscreenTarget(_gl);
        try
        {
            _programs = new PlanePrograms(_gl);

            // GLES 3 draws from a vertex array object; the vertex shader needs no attributes.
            _vertexArray = _gl.GenVertexArray();
            _gl.Disable(EnableCap.Blend);
        }
        catch
        {
            _egl.Dispose();
            throw;
        }
    }

    public RenderStats Stats { get; } = new();

    /// <summary>The offscreen framebuffer holding the last frame drawn (0 before the first), for a window to scale onto its own.</summary>
    internal uint Framebuffer => _target.Framebuffer;

    /// <summary>Whether planes can be imported as dma-bufs here (EGL_EXT_image_dma_buf_import and not forced off).</summary>
    public bool CanImport => _policy.CanImport;

    /// <summary>One line for `info`: EGL and GL vendor, renderer, and whether import is available.</summary>
    public string Description =>
        (_egl.IsGlx ? "GLX window context (no EGL display); " : $"EGL {_egl.EglVersion} ({_egl.EglVendor}, {_egl.Platform} display{(_egl.Device is null ? string.Empty : " " + _egl.Device)}); ") +
        $"GL {_egl.GlVersion}; renderer {_egl.GlRenderer}; dma-buf import {(_egl.CanImportDmaBuf ? (_egl.HasModifiers ? "yes, with modifiers" : "yes") : "no")}";

    public string Renderer => _egl.GlRenderer;

    public int Width => _target.Width;

    public int Height => _target.Height;

    internal EglContext Egl => _egl;

    /// <summary>Tests: every first draw of an import counts as failed, as a driver's GL error would make it, to exercise the fallback.</summary>
    internal bool FailFirstDraws { get; set; }

    /// <summary>Textures made here and not yet deleted; shutdown deletes what is left.</summary>
    internal int LiveTextures => _textures.Count;

    private static EglContext CreateHeadless()
    {
        try
        {
            return EglContext.Create();
        }
        catch (DllNotFoundException e)
        {
            throw new EglException($"loading {Interop.Libraries.Egl}", 0, $"{e.Message}; the GL renderer needs libegl1 and a vendor library such as libegl-mesa0");
        }
    }

    /// <summary>
    /// A texture for a dma-buf plane that the caller keeps and disposes: imported where the driver
    /// lists the plane's carrier format (and its modifier, when not linear), else one the caller
    /// fills with <see cref="PlaneTexture.Upload"/>. <paramref name="dmabuf"/> is borrowed for the
    /// call (an import takes its own reference on the buffer).
    /// </summary>
    internal PlaneTexture CreateTexture(SafeFdHandle dmabuf, in PlaneInfo plane) => _textures.CreateForDmaBuf(dmabuf, plane);

    /// <summary>A texture the caller fills with <see cref="PlaneTexture.Upload"/> before drawing, and disposes.</summary>
    internal PlaneTexture CreateUploadTexture(in PlaneInfo plane) => _textures.CreateForUpload(plane, "bytes given by the caller");

    /// <summary>The texture the last frames drew <paramref name="plane"/>'s buffer from, or null.</summary>
    internal PlaneTexture? TextureOf(PlaneState plane) => _textures.Find(plane);

    /// <summary>
    /// Draws <paramref name="primary"/> at 1:1 filling the target (sized to it) and blends
    /// <paramref name="cursor"/> with its top-left at (<paramref name="cursorX"/>, <paramref name="cursorY"/>),
    /// clipped. Without a primary the target keeps its size and is black under the cursor. True
    /// when an import failed its first draw and fell back to uploads: the caller uploads that
    /// texture's bytes and renders again.
    /// </summary>
    internal bool Render(PlaneTexture? primary, PlaneTexture? cursor, int cursorX, int cursorY)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _egl.MakeCurrent();
        if (primary is not null)
        {
            _target.EnsureSize((int)primary.Layout.Width, (int)primary.Layout.Height);
        }

        if (_target.Width == 0)
        {
            return false;
        }

        // An error left by earlier GL work (the window's overlay and blit, an upload) must not be
        // blamed on a new import by the first-draw check below.
        while (_gl.GetError() != GLEnum.NoError)
        {
        }

        _target.BindAndClear();
        _gl.BindVertexArray(_vertexArray);
        if (primary is not null)
        {
            _programs.DrawPrimary(primary, Width, Height);
        }

        if (cursor is not null)
        {
            _programs.DrawCursor(cursor, primary, Width, Height, cursorX, cursorY);
        }

        Stats.Frames++;
        if (CheckFirstDraw(primary, cursor))
        {
            return true;
        }

        LogPath(PlaneType.Primary, primary);
        LogPath(PlaneType.Cursor, cursor);
        return false;
    }

    /// <summary>
    /// A created EGLImage does not prove the import worked: the first draw from it must leave
    /// no GL error. A failed one falls back to uploads of the same buffer; true tells the caller
    /// to fill those textures and draw the frame again.
    /// </summary>
    private bool CheckFirstDraw(PlaneTexture? primary, PlaneTexture? cursor)
    {
        bool pending = (primary is { Path: PlanePath.Import, Verified: false }) || (cursor is { Path: PlanePath.Import, Verified: false });
        if (!pending)
        {
            return false;
        }

        GLEnum error = _gl.GetError();
        if (FailFirstDraws && error == GLEnum.NoError)
        {
            error = GLEnum.InvalidOperation;
        }

        if (error == GLEnum.NoError)
        {
            primary?.Verified = true;
            cursor?.Verified = true;
            return false;
        }

        foreach (PlaneTexture? t in (ReadOnlySpan<PlaneTexture?>)[primary, cursor])
        {
            if (t is { Path: PlanePath.Import, Verified: false })
            {
                Stats.FailedImports++;
                t.FallBackToUpload($"the imported image failed its first draw (GL error 0x{(int)error:X4})");
            }
        }

        return true;
    }

    private void LogPath(PlaneType plane, PlaneTexture? texture)
    {
        if (texture is null)
        {
            return;
        }

        // Once per plane and path; a new reason (a format the driver does not list) is a new
        // line. Compared by reference, so a steady frame builds no string.
        ref (PlanePath Path, string? Reason, bool Logged) last = ref _loggedPath[(int)plane];
        if (last.Logged && last.Path == texture.Path && ReferenceEquals(last.Reason, texture.UploadReason))
        {
            return;
        }

        bool sameText = last.Logged && last.Path == texture.Path && last.Reason == texture.UploadReason;
        last = (texture.Path, texture.UploadReason, true);
        if (!sameText)
        {
            string what = texture.Path == PlanePath.Import ? "dma-buf import" : "upload (" + texture.UploadReason + ")";
            _log.WriteLine($"info: gl: {plane.ToString().ToLowerInvariant()} plane {texture.Layout.FormatName} {texture.Layout.Width}x{texture.Layout.Height}: {what}");
        }
    }

    /// <summary>Reads the last frame back: <see cref="Height"/> rows of <see cref="Width"/> RGBA pixels, top row first.</summary>
    public void ReadPixels(Span<byte> rgba)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _egl.MakeCurrent();
        _target.ReadPixels(rgba);
    }

    /// <summary>Waits until the GPU has finished the frame (for timing).</summary>
    public void Finish()
    {
        _egl.MakeCurrent();
        _gl.Finish();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _egl.MakeCurrent();
        _textures.Dispose();
        _disposed = true;
        _target.Dispose();
        _gl.DeleteVertexArray(_vertexArray);
        _programs.Dispose();
        _egl.Dispose();
    }
}
