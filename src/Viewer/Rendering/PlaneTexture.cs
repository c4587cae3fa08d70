using Silk.NET.OpenGL;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.Viewer.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// The GL texture of one plane buffer: an imported EGLImage, or storage the plane's bytes are
/// uploaded into by whoever holds them. Its <see cref="TextureStore"/> creates it, owns it and
/// deletes it on the render thread; see there for when.
/// </summary>
internal sealed class PlaneTexture : IDisposable
{
    private static int s_live;

    private static readonly GlPlaneFormat s_convertedFormat = GlPlaneFormat.TryGet(DrmFourcc.ABGR8888, out GlPlaneFormat f) ? f : default;

    private readonly TextureStore _store;
    private readonly GL _gl;
    private byte[] _converted = [];
    private SafeEglImageHandle? _image;
    private uint _texture;
    private int _storageWidth;
    private int _storageHeight;
    private InternalFormat _storageFormat;

    /// <param name="store">The owner, which made the context current.</param>
    /// <param name="gl">The context's GL functions.</param>
    /// <param name="layout">The plane's layout.</param>
    /// <param name="format">How the plane's format reaches the shaders.</param>
    internal PlaneTexture(TextureStore store, GL gl, in PlaneInfo layout, GlPlaneFormat format)
    {
        _store = store;
        _gl = gl;
        Layout = layout;
        Format = format;
        ShaderFormat = format;
        _texture = NewTexture();
        Interlocked.Increment(ref s_live);
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

    /// <summary>
    /// Imports <paramref name="dmabuf"/> as the plane's carrier format; false (and nothing held)
    /// when EGL refuses. The fd is only read during the call: the image takes its own reference
    /// on the dma-buf, so the texture keeps no fd.
    /// </summary>
    internal bool TryImport(EglContext egl, SafeFdHandle dmabuf, bool withModifier, out string? failure)
    {
        ReadOnlySpan<int> baseAttribs =
        [
            Interop.Egl.EGL_WIDTH, TexelWidth,
            Interop.Egl.EGL_HEIGHT, (int)Layout.Height,
            Interop.Egl.EGL_LINUX_DRM_FOURCC_EXT, unchecked((int)Format.CarrierFourcc),
            Interop.Egl.EGL_DMA_BUF_PLANE0_FD_EXT, dmabuf.Number,
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

        bool addedRef = false;
        nint image;
        try
        {
            dmabuf.DangerousAddRef(ref addedRef);
            image = Interop.Egl.CreateImageKHR(egl.Display.DangerousGetHandle(), Interop.Egl.EGL_LINUX_DMA_BUF_EXT, attribs[..n]);
        }
        finally
        {
            if (addedRef)
            {
                dmabuf.DangerousRelease();
            }
        }

        if (image == 0)
        {
            failure = $"eglCreateImageKHR: {EglException.ErrorName(Interop.Egl.GetError())}";
            return false;
        }

        _image = SafeEglImageHandle.Own(egl.Display, image);
        while (_gl.GetError() != GLEnum.NoError)
        {
            // Clears errors left by earlier calls, so the check below sees only this bind's.
        }

        _gl.BindTexture(TextureTarget.Texture2D, _texture);
        Interop.Gl.EGLImageTargetTexture2DOES((uint)TextureTarget.Texture2D, image);
        GLEnum error = _gl.GetError();
        if (error != GLEnum.NoError)
        {
            failure = $"glEGLImageTargetTexture2DOES: GL error 0x{(int)error:X4}";
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

    /// <summary>The bytes the plane needs: up to the end of its last row, or whole rows of tiles when tiled.</summary>
    internal long RequiredBytes() => TileLayout.TryGet(Layout.Modifier, Format.Format.BytesPerPixel, out TileLayout tiles)
        ? tiles.RequiredBytes(Layout.Stride, Layout.Height, (long)TexelWidth * Format.TexelBytes)
        : (long)Layout.Stride * Layout.Height;

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
        _store.MakeCurrent();
        _gl.BindTexture(TextureTarget.Texture2D, _texture);
        if (_storageWidth != width || _storageHeight != height || _storageFormat != format.GlInternalFormat)
        {
            // Storage is allocated once and reused while the size and format stay.
            _gl.TexImage2D(TextureTarget.Texture2D, 0, format.GlInternalFormat, (uint)width, (uint)height, 0, format.GlFormat, PixelType.UnsignedByte, ReadOnlySpan<byte>.Empty);
            _storageWidth = width;
            _storageHeight = height;
            _storageFormat = format.GlInternalFormat;
        }

        _gl.PixelStore(PixelStoreParameter.UnpackAlignment, 1);
        if (stride % format.TexelBytes == 0)
        {
            _gl.PixelStore(PixelStoreParameter.UnpackRowLength, stride / format.TexelBytes);
            _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, 0, (uint)width, (uint)height, format.GlFormat, PixelType.UnsignedByte, bytes[..(int)required]);
            _gl.PixelStore(PixelStoreParameter.UnpackRowLength, 0);
        }
        else
        {
            // GL_UNPACK_ROW_LENGTH counts texels: a stride that is no whole number of them
            // (24-bit RGB) goes row by row.
            int rowBytes = width * format.TexelBytes;
            for (int y = 0; y < height; y++)
            {
                _gl.TexSubImage2D(TextureTarget.Texture2D, 0, 0, y, (uint)width, 1, format.GlFormat, PixelType.UnsignedByte, bytes.Slice(y * stride, rowBytes));
            }
        }

        _store.Stats.Uploads++;
    }

    private void DropImage()
    {
        _image?.Dispose();
        _image = null;

        // A texture once bound to an EGLImage stays an EGLImage target; a new name starts clean.
        _gl.DeleteTexture(_texture);
        _texture = NewTexture();
        _storageWidth = 0;
    }

    private uint NewTexture()
    {
        uint texture = _gl.GenTexture();
        _gl.BindTexture(TextureTarget.Texture2D, texture);

        // texelFetch ignores filtering, but a texture without mipmaps is only complete with a
        // non-mipmap min filter.
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)TextureMinFilter.Nearest);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)TextureMagFilter.Nearest);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapS, (int)TextureWrapMode.ClampToEdge);
        _gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureWrapT, (int)TextureWrapMode.ClampToEdge);
        return texture;
    }

    /// <summary>Hands the texture back to its store, which deletes it now (render thread only; idempotent).</summary>
    public void Dispose() => _store.Delete(this);

    /// <summary>Deletes the texture and releases the image. The store calls it, on the render thread with the context current.</summary>
    internal void DeleteGlObjects()
    {
        if (_texture == 0)
        {
            return;
        }

        _gl.DeleteTexture(_texture);
        _texture = 0;
        Interlocked.Decrement(ref s_live);
        _image?.Dispose();
        _image = null;
    }
}
