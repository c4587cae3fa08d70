using Silk.NET.OpenGL;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// The RGBA8 framebuffer the compositor draws into, sized to the primary plane, and its readback.
/// A GL object: made, resized and deleted on the render thread with the context current.
/// </summary>
internal sealed class OffscreenTarget(GL gl) : IDisposable
{
    private uint _renderbuffer;

    /// <summary>The framebuffer name; 0 before the first size.</summary>
    public uint Framebuffer { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Makes the target <paramref name="width"/> by <paramref name="height"/>, reallocating only when the size changes.</summary>
    public void EnsureSize(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return;
        }

        Dispose();
        _renderbuffer = gl.GenRenderbuffer();
        gl.BindRenderbuffer(RenderbufferTarget.Renderbuffer, _renderbuffer);
        gl.RenderbufferStorage(RenderbufferTarget.Renderbuffer, InternalFormat.Rgba8, (uint)width, (uint)height);
        Framebuffer = gl.GenFramebuffer();
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, Framebuffer);
        gl.FramebufferRenderbuffer(FramebufferTarget.Framebuffer, FramebufferAttachment.ColorAttachment0, RenderbufferTarget.Renderbuffer, _renderbuffer);
        GLEnum status = gl.CheckFramebufferStatus(FramebufferTarget.Framebuffer);
        if (status != GLEnum.FramebufferComplete)
        {
            Dispose();
            throw new GlException($"offscreen framebuffer {width}x{height} RGBA8 is incomplete (status 0x{(int)status:X4})");
        }

        Width = width;
        Height = height;
    }

    /// <summary>Binds the target for drawing and clears it to opaque black.</summary>
    public void BindAndClear()
    {
        gl.BindFramebuffer(FramebufferTarget.Framebuffer, Framebuffer);
        gl.Viewport(0, 0, (uint)Width, (uint)Height);
        gl.ClearColor(0f, 0f, 0f, 1f);
        gl.Clear(ClearBufferMask.ColorBufferBit);
    }

    /// <summary>Reads the target back: <see cref="Height"/> rows of <see cref="Width"/> RGBA pixels, top row first.</summary>
    public void ReadPixels(Span<byte> rgba)
    {
        if (rgba.Length < checked(Width * Height * 4))
        {
            throw new ArgumentException($"readback buffer of {rgba.Length} bytes is below {Width}x{Height} RGBA", nameof(rgba));
        }

        gl.BindFramebuffer(FramebufferTarget.Framebuffer, Framebuffer);

        // Rows of width * 4 bytes: GL_PACK_ALIGNMENT 4 holds for RGBA. plane.vert puts target
        // row 0 at GL row 0, so GL's bottom-up rows come out top first.
        gl.PixelStore(PixelStoreParameter.PackAlignment, 4);
        gl.ReadPixels(0, 0, (uint)Width, (uint)Height, PixelFormat.Rgba, PixelType.UnsignedByte, rgba);
    }

    /// <summary>Deletes the framebuffer and renderbuffer (idempotent); the next <see cref="EnsureSize"/> makes new ones.</summary>
    public void Dispose()
    {
        if (Framebuffer != 0)
        {
            gl.DeleteFramebuffer(Framebuffer);
            Framebuffer = 0;
        }

        if (_renderbuffer != 0)
        {
            gl.DeleteRenderbuffer(_renderbuffer);
            _renderbuffer = 0;
        }

        Width = 0;
        Height = 0;
    }
}
