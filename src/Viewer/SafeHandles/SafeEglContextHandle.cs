using System.Runtime.InteropServices;

namespace VgpuView.Viewer.SafeHandles;

/// <summary>An EGLContext. Holds a reference on its display, released after eglDestroyContext.</summary>
internal sealed class SafeEglContextHandle : SafeHandle
{
    private readonly SafeEglDisplayHandle? _display;

    public SafeEglContextHandle()
        : base(0, ownsHandle: true)
    {
    }

    private SafeEglContextHandle(SafeEglDisplayHandle display, nint context, bool ownsHandle = true)
        : base(0, ownsHandle)
    {
        _display = display;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Wraps <paramref name="context"/>, AddRef'ing <paramref name="display"/> so it outlives the context.</summary>
    internal static SafeEglContextHandle Own(SafeEglDisplayHandle display, nint context)
    {
        bool added = false;
        display.DangerousAddRef(ref added);
        return new SafeEglContextHandle(display, context);
    }

    /// <summary>Wraps a context another library created and destroys (GLFW's window context): disposing leaves it alone.</summary>
    internal static SafeEglContextHandle Borrow(SafeEglDisplayHandle display, nint context) => new(display, context, ownsHandle: false);

    protected override bool ReleaseHandle()
    {
        bool ok = Interop.Egl.DestroyContext(_display!.DangerousGetHandle(), handle) == Interop.Egl.EGL_TRUE;
        _display.DangerousRelease();
        return ok;
    }
}
