// GLFW and the one window it opens, with a GLES 3 context through EGL (else GLX), its keys, size, title and fullscreen.
namespace VgpuView.Viewer.Window;

/// <summary>
/// GLFW and one window with a GLES 3 context created through EGL (GLFW_EGL_CONTEXT_API), so that
/// glfwGetEGLDisplay gives the display the renderer imports dma-bufs on. Not a SafeHandle:
/// glfwDestroyWindow and glfwTerminate must run on the thread that called glfwInit, never on the
/// finalizer thread, so the owner disposes it on the render thread. One per process (GLFW is
/// process-global).
/// </summary>
internal sealed class GlfwWindow : IDisposable
{
    private static int s_instances;

    private nint _window;
    private int _windowedX, _windowedY, _windowedWidth, _windowedHeight;
    private bool _disposed;

    private GlfwWindow(nint window)
    {
        _window = window;
    }

    /// <summary>glfwGetEGLDisplay: the display the window's EGL context lives on (EGL_NO_DISPLAY for a GLX context).</summary>
    public nint EglDisplay => UsesEgl ? Interop.Glfw.GetEGLDisplay() : 0;

    public nint EglContext => UsesEgl ? Interop.Glfw.GetEGLContext(_window) : 0;

    public bool ShouldClose => Interop.Glfw.WindowShouldClose(_window) != 0;

    public bool IsFullscreen => Interop.Glfw.GetWindowMonitor(_window) != 0;

    /// <summary>Whether the context was created through EGL (else GLX, where no EGL window context was available).</summary>
    public bool UsesEgl { get; private init; }

    /// <summary>Why the EGL context was not used, when <see cref="UsesEgl"/> is false.</summary>
    public string? EglRefusal { get; private init; }

    /// <summary>
    /// Initialises GLFW, opens a visible window of <paramref name="width"/> x <paramref name="height"/>
    /// with a GLES 3 context and makes it current. The context is created through EGL, so that the
    /// renderer can import dma-bufs on the window's display; where that fails and
    /// <paramref name="context"/> allows it, through the native API (GLX on X11, with
    /// GLX_EXT_create_context_es2_profile), where planes can only be uploaded. With
    /// <paramref name="fitScreen"/> a size beyond the screen shrinks to fit it.
    /// </summary>
    public static GlfwWindow Create(int width, int height, string title, WindowContext context, bool fitScreen)
    {
        if (Interlocked.Increment(ref s_instances) != 1)
        {
            Interlocked.Decrement(ref s_instances);
            throw new InvalidOperationException("one window per process: GLFW's state is global");
        }

        try
        {
            if (Interop.Glfw.Init() != Interop.Glfw.GLFW_TRUE)
            {
                string why = LastError();
                throw new WindowException($"glfwInit failed: {why}" + (Environment.GetEnvironmentVariable("DISPLAY") is null && Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is null
                    ? "; neither DISPLAY nor WAYLAND_DISPLAY is set (the window needs an X server or XWayland)"
                    : string.Empty));
            }
        }
        catch (DllNotFoundException e)
        {
            Interlocked.Decrement(ref s_instances);
            throw new WindowException($"loading {Interop.Libraries.Glfw}: {e.Message}; the window needs GLFW 3 (Debian package libglfw3)");
        }
        catch
        {
            Interlocked.Decrement(ref s_instances);
            throw;
        }

        if (fitScreen && TryGetScreenSize(out int screenWidth, out int screenHeight) && (width > screenWidth || height > screenHeight))
        {
            // A guest mode larger than the screen: the largest window of its aspect that fits.
            double s = Math.Min((double)screenWidth / width, (double)screenHeight / height);
            width = Math.Max(64, (int)(width * s));
            height = Math.Max(48, (int)(height * s));
        }

        string? eglRefusal = null;
        nint window = 0;
        if (context != WindowContext.Glx)
        {
            window = TryCreate(width, height, title, Interop.Glfw.GLFW_EGL_CONTEXT_API, out eglRefusal);
        }
        else
        {
            eglRefusal = "--context glx";
        }

        bool egl = window != 0;
        string? nativeRefusal = null;
        if (window == 0 && context != WindowContext.Egl)
        {
            window = TryCreate(width, height, title, Interop.Glfw.GLFW_NATIVE_CONTEXT_API, out nativeRefusal);
        }

        if (window == 0)
        {
            Interop.Glfw.Terminate();
            Interlocked.Decrement(ref s_instances);
            throw new WindowException(
                $"glfwCreateWindow {width}x{height} with a GLES 3 context failed: through EGL: {eglRefusal ?? "not tried"}" +
                (context == WindowContext.Egl ? string.Empty : $"; through GLX: {nativeRefusal}"));
        }

        Interop.Glfw.MakeContextCurrent(window);
        Interop.Glfw.ListenForKeys(window);
        Interop.Glfw.TrackSizes(window);

        return new GlfwWindow(window) { UsesEgl = egl, EglRefusal = egl ? null : eglRefusal };
    }

    private static nint TryCreate(int width, int height, string title, int creationApi, out string? refusal)
    {
        Interop.Glfw.DefaultWindowHints();
        Interop.Glfw.WindowHint(Interop.Glfw.GLFW_CLIENT_API, Interop.Glfw.GLFW_OPENGL_ES_API);
        Interop.Glfw.WindowHint(Interop.Glfw.GLFW_CONTEXT_CREATION_API, creationApi);
        Interop.Glfw.WindowHint(Interop.Glfw.GLFW_CONTEXT_VERSION_MAJOR, 3);
        Interop.Glfw.WindowHint(Interop.Glfw.GLFW_CONTEXT_VERSION_MINOR, 0);
        Interop.Glfw.WindowHint(Interop.Glfw.GLFW_RESIZABLE, Interop.Glfw.GLFW_TRUE);
        nint window = Interop.Glfw.CreateWindow(width, height, title, 0, 0);
        refusal = window == 0 ? LastError() : null;
        return window;
    }

    /// <summary>The framebuffer's size in pixels (larger than the window's on a HiDPI screen), as of the last events.</summary>
    public static void GetFramebufferSize(out int width, out int height) => Interop.Glfw.TrackedSizes(out _, out _, out width, out height);

    /// <summary>The window's size in screen coordinates, as of the last events.</summary>
    public static void GetWindowSize(out int width, out int height) => Interop.Glfw.TrackedSizes(out width, out height, out _, out _);

    public void GetPosition(out int x, out int y) => Interop.Glfw.GetWindowPos(_window, out x, out y);

    public void SetTitle(string title) => Interop.Glfw.SetWindowTitle(_window, title);

    /// <summary>0 switches vsync off (tests, benchmarks); 1 waits for the display's refresh on each swap.</summary>
    public static void SetSwapInterval(int interval) => Interop.Glfw.SwapInterval(interval);

    public void SwapBuffers() => Interop.Glfw.SwapBuffers(_window);

    public static void PollEvents() => Interop.Glfw.PollEvents();

    public void Close() => Interop.Glfw.SetWindowShouldClose(_window, Interop.Glfw.GLFW_TRUE);

    /// <summary>The next key pressed since the last call: a GLFW_KEY_* or <see cref="Interop.Glfw.CharBase"/> + '+' or '-'.</summary>
    public static bool TryTakeKey(out int key) => Interop.Glfw.TryTakeKey(out key);

    /// <summary>Switches between a window and the primary monitor's whole screen in its current mode.</summary>
    public void ToggleFullscreen()
    {
        if (IsFullscreen)
        {
            Interop.Glfw.SetWindowMonitor(_window, 0, _windowedX, _windowedY, _windowedWidth, _windowedHeight, 0);
            return;
        }

        nint monitor = Interop.Glfw.GetPrimaryMonitor();
        if (!Interop.Glfw.TryGetVideoMode(monitor, out Interop.Glfw.GLFWvidmode mode))
        {
            return;
        }

        Interop.Glfw.GetWindowPos(_window, out _windowedX, out _windowedY);
        Interop.Glfw.GetWindowSize(_window, out _windowedWidth, out _windowedHeight);
        Interop.Glfw.SetWindowMonitor(_window, monitor, 0, 0, mode.width, mode.height, mode.refreshRate);
    }

    /// <summary>The primary monitor's refresh rate in Hz, 0 where GLFW knows none.</summary>
    public static int RefreshRate() =>
        Interop.Glfw.TryGetVideoMode(Interop.Glfw.GetPrimaryMonitor(), out Interop.Glfw.GLFWvidmode mode) ? Math.Max(mode.refreshRate, 0) : 0;

    /// <summary>The primary monitor's size in screen coordinates, or false where GLFW knows none.</summary>
    public static bool TryGetScreenSize(out int width, out int height)
    {
        bool ok = Interop.Glfw.TryGetVideoMode(Interop.Glfw.GetPrimaryMonitor(), out Interop.Glfw.GLFWvidmode mode);
        width = mode.width;
        height = mode.height;
        return ok && width > 0 && height > 0;
    }

    private static string LastError()
    {
        int code = Interop.Glfw.GetError(out string? text);
        return code == 0 ? "no error reported" : $"{text} (GLFW error 0x{code:X5})";
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interop.Glfw.DestroyWindow(_window);
        _window = 0;
        Interop.Glfw.Terminate();
        Interlocked.Decrement(ref s_instances);
    }
}

/// <summary>How the window's GLES context is created.</summary>
internal enum WindowContext
{
    /// <summary>Through EGL, else GLX.</summary>
    Auto,

    /// <summary>Through EGL only.</summary>
    Egl,

    /// <summary>Through GLX only (planes are uploaded).</summary>
    Glx,
}

// An IOException, so the command line reports it as one line with the device-failure exit code.
/// <summary>The window could not be opened (no X server, no GLFW, no EGL window context).</summary>
internal sealed class WindowException(string message) : IOException(message);
