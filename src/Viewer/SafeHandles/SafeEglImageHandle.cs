using System.Runtime.InteropServices;

namespace VgpuView.Viewer.SafeHandles;

/// <summary>
/// An EGLImageKHR made from a dma-buf. Holds a reference on its display, released after
/// eglDestroyImageKHR; the image holds its own reference on the dma-buf
/// (EGL_EXT_image_dma_buf_import: the fd may be closed once the image exists).
/// eglDestroyImageKHR needs no current context, so the finalizer may release it; the GL
/// texture bound to it is a separate object, deleted on the render thread.
/// </summary>
internal sealed class SafeEglImageHandle : SafeHandle
{
    private static int s_live;
    private readonly SafeEglDisplayHandle? _display;

    public SafeEglImageHandle()
        : base(0, ownsHandle: true)
    {
    }

    private SafeEglImageHandle(SafeEglDisplayHandle display, nint image)
        : base(0, ownsHandle: true)
    {
        _display = display;
        SetHandle(image);
        Interlocked.Increment(ref s_live);
    }

    /// <summary>EGLImages alive in the process: leak checks in the tests.</summary>
    internal static int Live => Volatile.Read(ref s_live);

    public override bool IsInvalid => handle == 0;

    /// <summary>Wraps <paramref name="image"/>, AddRef'ing <paramref name="display"/> so it outlives the image.</summary>
    internal static SafeEglImageHandle Own(SafeEglDisplayHandle display, nint image)
    {
        bool added = false;
        display.DangerousAddRef(ref added);
        return new SafeEglImageHandle(display, image);
    }

    protected override bool ReleaseHandle()
    {
        bool ok = Interop.Egl.DestroyImageKHR(_display!.DangerousGetHandle(), handle) == Interop.Egl.EGL_TRUE;
        _display.DangerousRelease();
        Interlocked.Decrement(ref s_live);
        return ok;
    }
}
