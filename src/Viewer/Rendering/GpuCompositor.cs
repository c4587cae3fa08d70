using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>Counters of the work the renderer did, for tests, benchmarks and the info command.</summary>
public sealed class RenderStats
{
    /// <summary>EGLImages created from dma-bufs.</summary>
    public long Imports { get; internal set; }

    /// <summary>glTexSubImage2D uploads of a whole plane.</summary>
    public long Uploads { get; internal set; }

    /// <summary>Imports EGL accepted whose first draw raised a GL error.</summary>
    public long FailedImports { get; internal set; }

    public long Frames { get; internal set; }
}

/// <summary>
/// Renders a primary plane and a cursor with GL ES 3 into an offscreen framebuffer on a headless
/// EGL display, and reads the result back as RGBA. Owns the context; every method runs on the
/// thread that created it.
/// </summary>
public sealed partial class GpuCompositor : IDisposable
{
    private readonly TextWriter _log;
    private readonly HeadlessEgl _egl;
    private readonly bool _allowImport;
    private readonly ShaderProgram _planeProgram;
    private readonly ShaderProgram _planeYuvProgram;
    private readonly ShaderProgram _planeBytesProgram;
    private readonly ShaderProgram _cursorProgram;
    private readonly PlaneUniforms _plane;
    private readonly PlaneUniforms _planeYuv;
    private readonly PlaneUniforms _planeBytes;
    private readonly CursorUniforms _cursor;
    private readonly uint _vertexArray;
    private readonly (PlanePath Path, string? Reason, bool Logged)[] _loggedPath = new (PlanePath, string?, bool)[3];
    private readonly HashSet<PlaneTexture> _textures = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<PlaneTexture> _retired = new();
    private uint _framebuffer;
    private uint _renderbuffer;
    private bool _disposed;

    /// <param name="log">Where the info lines go (which path each plane takes).</param>
    /// <param name="allowImport">False forces the upload path everywhere (tests, benchmarks, a broken driver).</param>
    public GpuCompositor(TextWriter log, bool allowImport = true)
        : this(log, CreateHeadless(), allowImport)
    {
    }

    /// <summary>Renders with <paramref name="egl"/>'s context (a window's, borrowed), which it disposes with itself.</summary>
    internal GpuCompositor(TextWriter log, HeadlessEgl egl, bool allowImport)
    {
        _log = log;
        _egl = egl;
        try
        {
            _allowImport = allowImport;
            _planeProgram = new ShaderProgram("plane.vert", "plane.frag", "#define DECODE_ONLY 1");
            _planeYuvProgram = new ShaderProgram("plane.vert", "plane.frag", "#define DECODE_ONLY 2");
            _planeBytesProgram = new ShaderProgram("plane.vert", "plane.frag", "#define DECODE_ONLY 3");
            _cursorProgram = new ShaderProgram("plane.vert", "cursor.frag");
            _plane = new PlaneUniforms(_planeProgram, "u_plane", "u_tex");
            _planeYuv = new PlaneUniforms(_planeYuvProgram, "u_plane", "u_tex");
            _planeBytes = new PlaneUniforms(_planeBytesProgram, "u_plane", "u_tex");
            _cursor = new CursorUniforms(_cursorProgram);

            // GLES 3 draws from a vertex array object; the vertex shader needs no attributes.
            _vertexArray = Interop.Gl.GenVertexArray();
            Interop.Gl.Disable(Interop.Gl.GL_BLEND);
        }
        catch
        {
            _planeProgram?.Dispose();
            _planeYuvProgram?.Dispose();
            _planeBytesProgram?.Dispose();
            _cursorProgram?.Dispose();
            _egl.Dispose();
            throw;
        }
    }

    public RenderStats Stats { get; } = new();

    /// <summary>The offscreen framebuffer holding the last frame drawn (0 before the first), for a window to scale onto its own.</summary>
    internal uint Framebuffer => _framebuffer;

    private static HeadlessEgl CreateHeadless()
    {
        try
        {
            return HeadlessEgl.Create();
        }
        catch (DllNotFoundException e)
        {
            throw new EglException($"loading {Interop.Libraries.Egl}", 0, $"{e.Message}; the GL renderer needs libegl1 and a vendor library such as libegl-mesa0");
        }
    }

    /// <summary>Whether planes can be imported as dma-bufs here (EGL_EXT_image_dma_buf_import and not forced off).</summary>
    public bool CanImport => _allowImport && _egl.CanImportDmaBuf;

    /// <summary>One line for `info`: EGL and GL vendor, renderer, and whether import is available.</summary>
    public string Description =>
        (_egl.IsGlx ? "GLX window context (no EGL display); " : $"EGL {_egl.EglVersion} ({_egl.EglVendor}, {_egl.Platform} display{(_egl.Device is null ? string.Empty : " " + _egl.Device)}); ") +
        $"GL {_egl.GlVersion}; renderer {_egl.GlRenderer}; dma-buf import {(_egl.CanImportDmaBuf ? (_egl.HasModifiers ? "yes, with modifiers" : "yes") : "no")}";

    public string Renderer => _egl.GlRenderer;

    public int Width { get; private set; }

    public int Height { get; private set; }

    internal HeadlessEgl Egl => _egl;

    /// <summary>Tests: every first draw of an import counts as failed, as a driver's GL error would make it, to exercise the fallback.</summary>
    internal bool FailFirstDraws { get; set; }

    /// <summary>Textures made here and not yet disposed; shutdown disposes what is left.</summary>
    internal int LiveTextures => _textures.Count;

    internal void Track(PlaneTexture texture) => _textures.Add(texture);

    internal void Untrack(PlaneTexture texture) => _textures.Remove(texture);

    /// <summary>
    /// Hands back a texture whose buffer left the cache. Any thread may call it (the cache's
    /// Evicted event fires where the eviction happens); GL objects can only be deleted with the
    /// context current, so the texture is queued and disposed at the start of the next frame.
    /// The EGLImage holds its own reference on the dma-buf, so the entry's fd may close first.
    /// </summary>
    internal void Retire(PlaneTexture texture) => _retired.Enqueue(texture);

    private void DisposeRetired()
    {
        while (_retired.TryDequeue(out PlaneTexture? texture))
        {
            texture.Dispose();
        }
    }

    /// <summary>
    /// A texture for a dma-buf plane: imported where the driver lists the plane's carrier format
    /// (and its modifier, when not linear), else uploaded from a read-only mapping of the fd every
    /// frame. <paramref name="dmabuf"/> is borrowed: its owner (the cache entry) keeps it open at
    /// least as long as the texture.
    /// </summary>
    internal PlaneTexture CreateTexture(SafeFdHandle dmabuf, in PlaneInfo plane) => CreateTexture(dmabuf, plane, fedByCaller: false);

    /// <param name="dmabuf">The plane's dma-buf, borrowed from its owner.</param>
    /// <param name="plane">The plane's layout.</param>
    /// <param name="fedByCaller">On the upload path the caller passes the bytes (a synced CPU read) rather than the texture mapping the fd.</param>
    private PlaneTexture CreateTexture(SafeFdHandle dmabuf, in PlaneInfo plane, bool fedByCaller)
    {
        _egl.MakeCurrent();
        GlPlaneFormat format = FormatFor(plane);
        var texture = new PlaneTexture(this, plane, format, dmabuf, borrowedMapping: null, fedByCaller);
        try
        {
            string? reason = ImportRefusal(plane, format, out bool withModifier) ?? CpuMapRefusal(dmabuf, plane);
            if (reason is null)
            {
                if (texture.TryImport(_egl, withModifier, out string? failure))
                {
                    Stats.Imports++;
                    return texture;
                }

                reason = failure;
            }

            texture.SetUploadReason(reason!);
            return texture;
        }
        catch
        {
            texture.Dispose();
            throw;
        }
    }

    /// <summary>A texture uploaded every frame from <paramref name="mapping"/> (a region plane), which its owner keeps mapped.</summary>
    internal PlaneTexture CreateTexture(SafeMappedRegion mapping, in PlaneInfo plane)
    {
        _egl.MakeCurrent();
        var texture = new PlaneTexture(this, plane, FormatFor(plane), dmabuf: null, mapping);
        texture.SetUploadReason("region plane");
        return texture;
    }

    /// <summary>A texture the caller fills with <see cref="PlaneTexture.Upload"/> before drawing.</summary>
    internal PlaneTexture CreateUploadTexture(in PlaneInfo plane)
    {
        _egl.MakeCurrent();
        var texture = new PlaneTexture(this, plane, FormatFor(plane), dmabuf: null, borrowedMapping: null);
        texture.SetUploadReason("bytes given by the caller");
        return texture;
    }

    private GlPlaneFormat FormatFor(in PlaneInfo plane)
    {
        if (!GlPlaneFormat.TryGet(plane.Fourcc, out GlPlaneFormat format))
        {
            throw new NotSupportedException($"{plane.Plane} plane format {plane.FormatName} (0x{plane.Fourcc:x8}) is not one the renderer knows");
        }

        int texels = format.TexelsPerRow((int)plane.Width);
        if (plane.Width == 0 || plane.Height == 0 || texels > _egl.MaxTextureSize || plane.Height > _egl.MaxTextureSize)
        {
            throw new ArgumentException($"{plane.Plane} plane {plane.Width}x{plane.Height} does not fit a texture (1 to {_egl.MaxTextureSize} per side)", nameof(plane));
        }

        if ((long)texels * format.TexelBytes > plane.Stride)
        {
            throw new ArgumentException($"{plane.Plane} plane stride {plane.Stride} is below {plane.Width} pixels of {plane.FormatName}", nameof(plane));
        }

        // Reading past the end of a dma-buf's pages faults (SIGBUS), so the size the device
        // reports must cover every row the texture reads.
        // Tiled planes are read in whole rows of tiles (X: 8 rows, Y and Yf: 32), whether the
        // driver imports them or the CPU detiles them; Yf can only be imported.
        long tileRows = plane.Modifier switch
        {
            DrmModifier.I915XTiled => 8,
            DrmModifier.I915YTiled or DrmModifier.I915YfTiled => 32,
            _ => 1,
        };
        long required = plane.Modifier == DrmModifier.Linear
            ? ((long)plane.Stride * (plane.Height - 1)) + ((long)texels * format.TexelBytes)
            : (long)plane.Stride * ((plane.Height + tileRows - 1) / tileRows * tileRows);
        if (plane.Size < required)
        {
            throw new ArgumentException($"{plane.Plane} plane size {plane.Size} is below the {required} bytes of {plane.Height} rows of stride {plane.Stride}", nameof(plane));
        }

        return format;
    }

    /// <summary>Why a plane cannot be imported, or null when it can.</summary>
    private string? ImportRefusal(in PlaneInfo plane, in GlPlaneFormat format, out bool withModifier)
    {
        withModifier = false;
        if (!_allowImport)
        {
            return "import switched off";
        }

        if (!_egl.CanImportDmaBuf)
        {
            return _egl.NoImportReason;
        }

        if (!_egl.IsImportable(format.CarrierFourcc))
        {
            return $"the driver does not list {DrmFourcc.ToText(format.CarrierFourcc)} for import";
        }

        ModifierListing listing = _egl.ListingOf(format.CarrierFourcc, plane.Modifier);
        return ModifierListings.Refusal(format.CarrierFourcc, plane.Modifier, listing, out withModifier);
    }

    /// <summary>
    /// Why a renderer that reads dma-bufs through the CPU (<see cref="HeadlessEgl.ReadsDmaBufThroughCpu"/>)
    /// cannot import <paramref name="dmabuf"/>, or null. Such a renderer accepts the import of a
    /// buffer it cannot map and crashes at the first read of it, so a one-page read-only mapping is
    /// tried first; a GPU imports without a CPU mapping and is not asked.
    /// </summary>
    private string? CpuMapRefusal(SafeFdHandle dmabuf, in PlaneInfo plane)
    {
        if (!_egl.ReadsDmaBufThroughCpu)
        {
            return null;
        }

        try
        {
            SafeMappedRegion.Map(dmabuf, 0, Environment.SystemPageSize, writable: false, $"dma-buf {plane.Id}").Dispose();
            return null;
        }
        catch (Exception e) when (e is VfioException or UnauthorizedAccessException or FileNotFoundException)
        {
            int errno = (e as VfioException ?? e.InnerException as VfioException)?.Errno ?? 0;
            return $"the renderer {_egl.GlRenderer} reads dma-bufs through the CPU, and mmap of this one failed with {Errno.Name(errno)}";
        }
    }

    /// <summary>
    /// Draws <paramref name="primary"/> at 1:1 filling the target (sized to it) and blends
    /// <paramref name="cursor"/> with its top-left at (<paramref name="cursorX"/>, <paramref name="cursorY"/>),
    /// clipped. Without a primary the target keeps its size and is black under the cursor.
    /// </summary>
    internal void Render(PlaneTexture? primary, PlaneTexture? cursor, int cursorX, int cursorY)
    {
        if (Draw(primary, cursor, cursorX, cursorY))
        {
            // A failed import fell back to uploads; Prepare fills the textures from their mappings.
            Draw(primary, cursor, cursorX, cursorY);
        }
    }

    /// <summary>Draws the frame once; true when an import failed its first draw and fell back, so the frame must be drawn again.</summary>
    private bool Draw(PlaneTexture? primary, PlaneTexture? cursor, int cursorX, int cursorY)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _egl.MakeCurrent();
        DisposeRetired();
        if (primary is not null)
        {
            EnsureTarget((int)primary.Layout.Width, (int)primary.Layout.Height);
        }

        if (Width == 0)
        {
            return false;
        }

        // An error left by earlier GL work (the window's overlay and blit, an upload) must not be
        // blamed on a new import by the first-draw check below.
        while (Interop.Gl.GetError() != Interop.Gl.GL_NO_ERROR)
        {
        }

        primary?.Prepare();
        cursor?.Prepare();
        Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, _framebuffer);
        Interop.Gl.Viewport(0, 0, Width, Height);
        Interop.Gl.BindVertexArray(_vertexArray);
        Interop.Gl.ClearColor(0f, 0f, 0f, 1f);
        Interop.Gl.Clear(Interop.Gl.GL_COLOR_BUFFER_BIT);

        if (primary is not null)
        {
            GlPlaneFormat f = primary.ShaderFormat;
            (ShaderProgram program, PlaneUniforms uniforms) = f.Yuv ? (_planeYuvProgram, _planeYuv)
                : f.WholeBytes ? (_planeBytesProgram, _planeBytes)
                : (_planeProgram, _plane);
            program.Use();
            uniforms.Set(primary, unit: 0, keepAlpha: false, Width, Height, 0, 0);
            Interop.Gl.DrawArrays(Interop.Gl.GL_TRIANGLE_STRIP, 0, 4);
        }

        if (cursor is not null)
        {
            _cursorProgram.Use();
            _cursor.Cursor.Set(cursor, unit: 1, keepAlpha: true, Width, Height, cursorX, cursorY);
            if (primary is not null)
            {
                _cursor.Primary.Set(primary, unit: 0, keepAlpha: false, Width, Height, 0, 0);
            }

            Interop.Gl.Uniform1i(_cursor.HasPrimary, primary is null ? 0 : 1);
            Interop.Gl.DrawArrays(Interop.Gl.GL_TRIANGLE_STRIP, 0, 4);
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

        uint error = Interop.Gl.GetError();
        if (FailFirstDraws && error == Interop.Gl.GL_NO_ERROR)
        {
            error = Interop.Gl.GL_INVALID_OPERATION;
        }

        if (error == Interop.Gl.GL_NO_ERROR)
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
                t.FallBackToUpload($"the imported image failed its first draw (GL error 0x{error:X4})");
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

    private void EnsureTarget(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return;
        }

        DeleteTarget();
        _renderbuffer = Interop.Gl.GenRenderbuffer();
        Interop.Gl.BindRenderbuffer(Interop.Gl.GL_RENDERBUFFER, _renderbuffer);
        Interop.Gl.RenderbufferStorage(Interop.Gl.GL_RENDERBUFFER, Interop.Gl.GL_RGBA8, width, height);
        _framebuffer = Interop.Gl.GenFramebuffer();
        Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, _framebuffer);
        Interop.Gl.FramebufferRenderbuffer(Interop.Gl.GL_FRAMEBUFFER, Interop.Gl.GL_COLOR_ATTACHMENT0, Interop.Gl.GL_RENDERBUFFER, _renderbuffer);
        uint status = Interop.Gl.CheckFramebufferStatus(Interop.Gl.GL_FRAMEBUFFER);
        if (status != Interop.Gl.GL_FRAMEBUFFER_COMPLETE)
        {
            DeleteTarget();
            throw new GlException($"offscreen framebuffer {width}x{height} RGBA8 is incomplete (status 0x{status:X4})");
        }

        Width = width;
        Height = height;
    }

    /// <summary>Reads the last frame back: <see cref="Height"/> rows of <see cref="Width"/> RGBA pixels, top row first.</summary>
    public void ReadPixels(Span<byte> rgba)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _egl.MakeCurrent();
        Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, _framebuffer);
        Interop.Gl.PixelStorei(Interop.Gl.GL_PACK_ALIGNMENT, 4);

        // plane.vert puts target row 0 at GL row 0, so GL's bottom-up rows come out top first.
        Interop.Gl.ReadPixels(0, 0, Width, Height, rgba);
    }

    /// <summary>Waits until the GPU has finished the frame (for timing).</summary>
    public void Finish()
    {
        _egl.MakeCurrent();
        Interop.Gl.Finish();
    }

    private void DeleteTarget()
    {
        if (_framebuffer != 0)
        {
            Interop.Gl.DeleteFramebuffer(_framebuffer);
            _framebuffer = 0;
        }

        if (_renderbuffer != 0)
        {
            Interop.Gl.DeleteRenderbuffer(_renderbuffer);
            _renderbuffer = 0;
        }

        Width = 0;
        Height = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _egl.MakeCurrent();
        DetachCache();
        DisposeRetired();
        foreach (PlaneTexture texture in _textures.ToArray())
        {
            texture.Dispose();
        }

        _disposed = true;
        DeleteTarget();
        Interop.Gl.DeleteVertexArray(_vertexArray);
        _planeProgram.Dispose();
        _planeYuvProgram.Dispose();
        _planeBytesProgram.Dispose();
        _cursorProgram.Dispose();
        _egl.Dispose();
    }

    /// <summary>The uniforms of one plane (a Plane struct in decode.glsl, its sampler, its rectangle), looked up once.</summary>
    private sealed class PlaneUniforms(ShaderProgram program, string plane, string sampler)
    {
        private readonly int _yuv = program.Uniform(plane + ".yuv");
        private readonly int _shift = program.Uniform(plane + ".shift");
        private readonly int _bits = program.Uniform(plane + ".bits");
        private readonly int _order = program.Uniform(plane + ".order");
        private readonly int _size = program.Uniform(plane + ".size");
        private readonly int _keepAlpha = program.Uniform(plane + ".keep_alpha");
        private readonly int _sampler = program.Uniform(sampler);
        private readonly int _target = program.Uniform("u_target");
        private readonly int _rect = program.Uniform(plane == "u_plane" ? "u_rect" : "u_primary_rect");
        private readonly int _flipY = program.Uniform("u_flip_y");

        public void Set(PlaneTexture texture, int unit, bool keepAlpha, int targetWidth, int targetHeight, int x, int y)
        {
            GlPlaneFormat f = texture.ShaderFormat;
            Interop.Gl.ActiveTexture(Interop.Gl.GL_TEXTURE0 + (uint)unit);
            Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, texture.Texture);
            Interop.Gl.Uniform1i(_sampler, unit);
            Interop.Gl.Uniform1i(_yuv, f.Yuv ? 1 : 0);
            Interop.Gl.Uniform4i(_shift, f.Shift.R, f.Shift.G, f.Shift.B, f.Shift.A);
            Interop.Gl.Uniform4i(_bits, f.Bits.R, f.Bits.G, f.Bits.B, f.Bits.A);
            Interop.Gl.Uniform4i(_order, f.Order.Y0, f.Order.Y1, f.Order.Cb, f.Order.Cr);
            Interop.Gl.Uniform2i(_size, (int)texture.Layout.Width, (int)texture.Layout.Height);
            Interop.Gl.Uniform1i(_keepAlpha, keepAlpha && f.Format.HasAlpha ? 1 : 0);
            Interop.Gl.Uniform2f(_target, targetWidth, targetHeight);
            Interop.Gl.Uniform4f(_rect, x, y, texture.Layout.Width, texture.Layout.Height);
            Interop.Gl.Uniform1i(_flipY, 0);
        }
    }

    private sealed class CursorUniforms(ShaderProgram program)
    {
        public PlaneUniforms Cursor { get; } = new(program, "u_plane", "u_tex");

        public PlaneUniforms Primary { get; } = new(program, "u_primary", "u_primary_tex");

        public int HasPrimary { get; } = program.Uniform("u_has_primary");
    }
}
