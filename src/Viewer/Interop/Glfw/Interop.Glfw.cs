using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The GLFW 3.3 functions the window uses (GLFW/glfw3.h), from Debian's libglfw3. GLFW is not
    /// thread-safe: every call except glfwPostEmptyEvent happens on the thread that called glfwInit.
    /// A GLFWwindow*, GLFWmonitor* and GLFWvidmode* are plain pointers here (nint).
    /// </summary>
    internal static unsafe partial class Glfw
    {
        internal const int GLFW_TRUE = 1;

        // Window hints (glfw3.h).
        internal const int GLFW_RESIZABLE = 0x00020003;
        internal const int GLFW_CLIENT_API = 0x00022001;
        internal const int GLFW_CONTEXT_VERSION_MAJOR = 0x00022002;
        internal const int GLFW_CONTEXT_VERSION_MINOR = 0x00022003;
        internal const int GLFW_CONTEXT_CREATION_API = 0x0002200B;
        internal const int GLFW_OPENGL_ES_API = 0x00030002;
        internal const int GLFW_EGL_CONTEXT_API = 0x00036002;
        internal const int GLFW_NATIVE_CONTEXT_API = 0x00036001;

        // Key action and the keys the window answers to (US layout names, glfw3.h); + and - come
        // through the char callback, whatever the layout.
        internal const int GLFW_PRESS = 1;
        internal const int GLFW_KEY_C = 67;
        internal const int GLFW_KEY_F = 70;
        internal const int GLFW_KEY_H = 72;
        internal const int GLFW_KEY_M = 77;
        internal const int GLFW_KEY_Q = 81;
        internal const int GLFW_KEY_S = 83;
        internal const int GLFW_KEY_ESCAPE = 256;
        internal const int GLFW_KEY_F12 = 301;

        /// <summary>GLFWvidmode: width, height, red/green/blue bits, refresh rate (six ints).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct GLFWvidmode
        {
            public int width;       // int: screen width in screen coordinates
            public int height;      // int: screen height in screen coordinates
            public int redBits;     // int
            public int greenBits;   // int
            public int blueBits;    // int
            public int refreshRate; // int: Hz
        }

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwInit")]
        internal static partial int Init();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwTerminate")]
        internal static partial void Terminate();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetError")]
        private static partial int GetErrorRaw(byte** description);

        /// <summary>glfwGetError: the last error code on this thread (0 when none) and its text; clears it.</summary>
        internal static int GetError(out string? description)
        {
            byte* text = null;
            int code = GetErrorRaw(&text);
            description = Marshal.PtrToStringUTF8((nint)text);
            return code;
        }

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwDefaultWindowHints")]
        internal static partial void DefaultWindowHints();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwWindowHint")]
        internal static partial void WindowHint(int hint, int value);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwCreateWindow", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint CreateWindow(int width, int height, string title, nint monitor, nint share);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwDestroyWindow")]
        internal static partial void DestroyWindow(nint window);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwWindowShouldClose")]
        internal static partial int WindowShouldClose(nint window);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetWindowShouldClose")]
        internal static partial void SetWindowShouldClose(nint window, int value);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetWindowTitle", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial void SetWindowTitle(nint window, string title);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwPollEvents")]
        internal static partial void PollEvents();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwMakeContextCurrent")]
        internal static partial void MakeContextCurrent(nint window);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSwapBuffers")]
        internal static partial void SwapBuffers(nint window);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSwapInterval")]
        internal static partial void SwapInterval(int interval);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetFramebufferSize")]
        internal static partial void GetFramebufferSize(nint window, out int width, out int height);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetWindowSize")]
        internal static partial void GetWindowSize(nint window, out int width, out int height);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetWindowPos")]
        internal static partial void GetWindowPos(nint window, out int x, out int y);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetWindowMonitor")]
        internal static partial nint GetWindowMonitor(nint window);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetWindowMonitor")]
        internal static partial void SetWindowMonitor(nint window, nint monitor, int x, int y, int width, int height, int refreshRate);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetPrimaryMonitor")]
        internal static partial nint GetPrimaryMonitor();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetVideoMode")]
        private static partial GLFWvidmode* GetVideoModeRaw(nint monitor);

        /// <summary>glfwGetVideoMode copied out (GLFW owns the struct); false when GLFW has none.</summary>
        internal static bool TryGetVideoMode(nint monitor, out GLFWvidmode mode)
        {
            GLFWvidmode* p = monitor == 0 ? null : GetVideoModeRaw(monitor);
            mode = p == null ? default : *p;
            return p != null;
        }

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetEGLDisplay")]
        internal static partial nint GetEGLDisplay();

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwGetEGLContext")]
        internal static partial nint GetEGLContext(nint window);
    }
}
