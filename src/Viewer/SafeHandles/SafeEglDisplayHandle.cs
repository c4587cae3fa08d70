using System.Runtime.InteropServices;

namespace VgpuView.Viewer.SafeHandles;

/// <summary>
/// An initialised EGLDisplay. eglGetPlatformDisplayEXT returns the same handle for the same
/// platform and native display, and eglTerminate ends it for every user in the process
/// (EGL 1.5, 3.2), so handles to one display share a process-wide count and the last one
/// terminates it.
/// </summary>
internal sealed class SafeEglDisplayHandle : SafeHandle
{
    private static readonly Dictionary<nint, int> s_users = [];

    public SafeEglDisplayHandle()
        : base(0, ownsHandle: true)
    {
    }

    private SafeEglDisplayHandle(nint display, bool ownsHandle = true)
        : base(0, ownsHandle)
    {
        SetHandle(display);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Takes one use of <paramref name="display"/>, which the caller has initialised.</summary>
    internal static SafeEglDisplayHandle Adopt(nint display)
    {
        lock (s_users)
        {
            s_users[display] = s_users.GetValueOrDefault(display) + 1;
        }

        return new SafeEglDisplayHandle(display);
    }

    /// <summary>
    /// Wraps a display another library initialised and terminates (GLFW's, from glfwGetEGLDisplay):
    /// disposing the handle leaves it alone.
    /// </summary>
    internal static SafeEglDisplayHandle Borrow(nint display) => new(display, ownsHandle: false);

    protected override bool ReleaseHandle()
    {
        lock (s_users)
        {
            int left = s_users.GetValueOrDefault(handle) - 1;
            if (left > 0)
            {
                s_users[handle] = left;
                return true;
            }

            s_users.Remove(handle);
        }

        // eglTerminate releases the display's resources; a context still current on another
        // thread keeps them until it is released (EGL 1.5, 3.2).
        return Interop.Egl.Terminate(handle) == Interop.Egl.EGL_TRUE;
    }
}
