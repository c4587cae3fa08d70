using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.Viewer.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>How a plane's pixels reach its texture.</summary>
public enum PlanePath
{
    /// <summary>EGL_EXT_image_dma_buf_import: the texture is a live view of the buffer; nothing per frame.</summary>
    Import,

    /// <summary>glTexSubImage2D from a mapping or from bytes, every frame.</summary>
    Upload,
}

/// <summary>
/// The GL texture of one plane buffer (one cache entry): an imported EGLImage, or storage the
/// plane's bytes are uploaded into. A GL object: created and disposed on the render thread.
/// </summary>
internal sealed class PlaneTexture : IDisposable
{
    private static int s_live;

    private static readonly GlPlaneFormat s_convertedFormat = GlPlaneFormat.TryGet(DrmFourcc.ABGR8888, out GlPlaneFormat f) ? f : default;

    private readonly GpuCompositor _owner;
    private readonly SafeFdHandle? _dmabuf;
    private readonly bool _fedByCaller;
    private byte[] _converted = [];
    private SafeMappedRegion? _mapping;
    private bool _ownsMapping;
    private SafeEglImageHandle? _image;
    private uint _texture;
    private int _storageWidth;
    private int _storageHeight;
    private int _storageFormat;

    internal PlaneTexture(GpuCompositor owner, in PlaneInfo layout, GlPlaneFormat format, SafeFdHandle? dmabuf, SafeMappedRegion? borrowedMapping, bool fedByCaller = false)
    {
        _owner = owner;
        Layout = layout;
        Format = format;
        ShaderFormat = format;
        _dmabuf = dmabuf;
        _fedByCaller = fedByCaller;
        _mapping = borrowedMapping;
        _texture = Interop.Gl.GenTexture();
        Interlocked.Increment(ref s_live);
        owner.Track(this);
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _texture);

        // texelFetch ignores filtering, but a texture without mipmaps is only complete with a
        // non-mipmap min filter.
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MIN_FILTER, Interop.Gl.GL_NEAREST);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MAG_FILTER, Interop.Gl.GL_NEAREST);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_WRAP_S, Interop.Gl.GL_CLAMP_TO_EDGE);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_WRAP_T, Interop.Gl.GL_CLAMP_TO_EDGE);
    }

    /// <summary>GL textures of planes alive in the process: leak checks in the tests.</summary>
    internal static int Live => Volatile.Read(ref s_live);

    public PlaneInfo Layout { get; }

    public GlPlaneFormat Format { get; }

    /// <summary>What the texture holds: <see cref="Format"/>, or RGBA bytes (AB24) once a tiled plane was converted on the CPU.</summary>
    public GlPlaneFormat ShaderFormat { get; private set; }

    public PlanePath Path { get; private set; } = PlanePath.Upload;

    /// <summary>Why the upload path was taken, for the log.</summary>
    public string? UploadReason { get; private set; }

    /// <summary>An imported texture has been drawn once without a GL error.</summary>
    internal bool Verified { get; set; }

    internal uint Texture => _texture;

    /// <summary>An upload texture that has storage: false before its first upload and after a fallback from import.</summary>
    internal bool HasPixels => _storageWidth != 0;

    internal int TexelWidth => Format.TexelsPerRow((int)Layout.Width);

    /// <summary>Imports the dma-buf as the plane's carrier format; false (and nothing held) when EGL refuses.</summary>
    internal bool TryImport(HeadlessEgl egl, bool withModifier, out string? failure)
    {
        ReadOnlySpan<int> baseAttribs =
        [
            Interop.Egl.EGL_WIDTH, TexelWidth,
            Interop.Egl.EGL_HEIGHT, (int)Layout.Height,
            Interop.Egl.EGL_LINUX_DRM_FOURCC_EXT, unchecked((int)Format.CarrierFourcc),
            Interop.Egl.EGL_DMA_BUF_PLANE0_FD_EXT, _dmabuf!.Number,
            Interop.Egl.EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
            Interop.Egl.EGL_DMA_BUF_PLANE0_PITCH_EXT, (int)Layout.Stride,
        ];
        Span<int> attribs = stackalloc int[baseAttribs.Length + 5];
        baseAttribs.CopyTo(attribs);
        int n = baseAttribs.Length;
        if (withModifier)
        {
            attribs[n++] = Interop.Egl.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
            attribs[n++] = unchecked((int)(uint)Layout.Modifier);
            attribs[n++] = Interop.Egl.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
            attribs[n++] = unchecked((int)(uint)(Layout.Modifier >> 32));
        }

        attribs[n++] = Interop.Egl.EGL_NONE;

        // The fd is only read during the call: the image takes its own reference on the dma-buf.
        bool addedRef = false;
        nint image;
        try
        {
            _dmabuf.DangerousAddRef(ref addedRef);
            image = Interop.Egl.CreateImageKHR(egl.Display.DangerousGetHandle(), Interop.Egl.EGL_LINUX_DMA_BUF_EXT, attribs[..n]);
        }
        finally
        {
            if (addedRef)
            {
                _dmabuf.DangerousRelease();
            }
        }

        if (image == 0)
        {
            failure = $"eglCreateImageKHR: {EglException.ErrorName(Interop.Egl.GetError())}";
            return false;
        }

        _image = SafeEglImageHandle.Own(egl.Display, image);
        while (Interop.Gl.GetError() != Interop.Gl.GL_NO_ERROR)
        {
            // Clears errors left by earlier calls, so the check below sees only this bind's.
        }

        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _texture);
        Interop.Gl.EGLImageTargetTexture2DOES(Interop.Gl.GL_TEXTURE_2D, image);
        uint error = Interop.Gl.GetError();
        if (error != Interop.Gl.GL_NO_ERROR)
        {
            failure = $"glEGLImageTargetTexture2DOES: GL error 0x{error:X4}";
            DropImage();
            return false;
        }

        Path = PlanePath.Import;
        failure = null;
        return true;
    }

    /// <summary>Leaves the import (a failed first draw) for uploads from a mapping of the same dma-buf.</summary>
    internal void FallBackToUpload(string reason)
    {
        DropImage();
        Path = PlanePath.Upload;
        UploadReason = reason;
        Verified = false;
    }

    internal void SetUploadReason(string reason) => UploadReason = reason;

    /// <summary>Before each draw: an upload texture with a source of its own is refreshed from it.</summary>
    internal void Prepare()
    {
        if (Path == PlanePath.Import || _fedByCaller)
        {
            return;
        }

        if (_mapping is null && _dmabuf is not null)
        {
            // mmap takes its own reference on the file, so the mapping may outlive the fd.
            long length = Math.Max(Layout.Size, RequiredBytes());
            _mapping = SafeMappedRegion.Map(_dmabuf, 0, length, writable: false, $"dma-buf of plane {Layout.Id}");
            _ownsMapping = true;
        }

        if (_mapping is not null)
        {
            Upload(_mapping.GetSpan());
        }
    }

    /// <summary>The bytes the plane needs: stride * (height - 1) plus one row of texels.</summary>
    internal long RequiredBytes() => Layout.Modifier == DrmModifier.Linear
        ? ((long)Layout.Stride * (Layout.Height - 1)) + ((long)TexelWidth * Format.TexelBytes)
        : PixelConverter.RequiredSourceBytes(PlaneLayout.FromPlane(Layout));

    /// <summary>Copies the plane's bytes (laid out as <see cref="Layout"/> says) into the texture.</summary>
    internal void Upload(ReadOnlySpan<byte> bytes)
    {
        if (Path == PlanePath.Import)
        {
            throw new InvalidOperationException("an imported plane texture takes no uploads");
        }

        long required = RequiredBytes();
        if (bytes.Length < required)
        {
            throw new ArgumentException($"plane {Layout.FormatName} {Layout.Width}x{Layout.Height} stride {Layout.Stride} needs {required} bytes, got {bytes.Length}", nameof(bytes));
        }

        GlPlaneFormat format = Format;
        int stride = (int)Layout.Stride;
        if (Layout.Modifier != DrmModifier.Linear)
        {
            // GL cannot undo a tiling: the CPU converter does (Intel X/Y), into RGBA kept per texture
            // so the steady state allocates nothing; the shader then reads plain RGBA (AB24).
            int rgbaStride = (int)Layout.Width * 4;
            if (_converted.Length < rgbaStride * (int)Layout.Height)
            {
                _converted = new byte[rgbaStride * (int)Layout.Height];
            }

            PixelConverter.ToRgba(bytes, PlaneLayout.FromPlane(Layout), _converted, rgbaStride, keepAlpha: true);
            bytes = _converted;
            required = _converted.Length;
            stride = rgbaStride;
            format = s_convertedFormat;
            ShaderFormat = format;
        }

        int width = format.TexelsPerRow((int)Layout.Width);
        int height = (int)Layout.Height;
        _owner.Egl.MakeCurrent();
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _texture);
        if (_storageWidth != width || _storageHeight != height || _storageFormat != format.GlInternalFormat)
        {
            // Storage is allocated once and reused while the size and format stay.
            Interop.Gl.TexImage2D(Interop.Gl.GL_TEXTURE_2D, format.GlInternalFormat, width, height, format.GlFormat, Interop.Gl.GL_UNSIGNED_BYTE);
            _storageWidth = width;
            _storageHeight = height;
            _storageFormat = format.GlInternalFormat;
        }

        Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ALIGNMENT, 1);
        if (stride % format.TexelBytes == 0)
        {
            Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ROW_LENGTH, stride / format.TexelBytes);
            Interop.Gl.TexSubImage2D(Interop.Gl.GL_TEXTURE_2D, 0, 0, width, height, format.GlFormat, Interop.Gl.GL_UNSIGNED_BYTE, bytes[..(int)required]);
            Interop.Gl.PixelStorei(Interop.Gl.GL_UNPACK_ROW_LENGTH, 0);
        }
        else
        {
            // GL_UNPACK_ROW_LENGTH counts texels: a stride that is no whole number of them
            // (24-bit RGB) goes row by row.
            int rowBytes = width * format.TexelBytes;
            for (int y = 0; y < height; y++)
            {
                Interop.Gl.TexSubImage2D(Interop.Gl.GL_TEXTURE_2D, 0, y, width, 1, format.GlFormat, Interop.Gl.GL_UNSIGNED_BYTE, bytes.Slice(y * stride, rowBytes));
            }
        }

        _owner.Stats.Uploads++;
    }

    private void DropImage()
    {
        _image?.Dispose();
        _image = null;

        // A texture once bound to an EGLImage stays an EGLImage target; a new name starts clean.
        Interop.Gl.DeleteTexture(_texture);
        _texture = Interop.Gl.GenTexture();
        Interop.Gl.BindTexture(Interop.Gl.GL_TEXTURE_2D, _texture);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MIN_FILTER, Interop.Gl.GL_NEAREST);
        Interop.Gl.TexParameteri(Interop.Gl.GL_TEXTURE_2D, Interop.Gl.GL_TEXTURE_MAG_FILTER, Interop.Gl.GL_NEAREST);
        _storageWidth = 0;
    }

    /// <summary>Deletes the texture and releases the image and an own mapping. Render thread only; idempotent.</summary>
    public void Dispose()
    {
        if (_texture == 0)
        {
            return;
        }

        _owner.Egl.MakeCurrent();
        Interop.Gl.DeleteTexture(_texture);
        _texture = 0;
        _owner.Untrack(this);
        Interlocked.Decrement(ref s_live);
        _image?.Dispose();
        _image = null;
        if (_ownsMapping)
        {
            _mapping?.Dispose();
        }

        _mapping = null;
    }
}
