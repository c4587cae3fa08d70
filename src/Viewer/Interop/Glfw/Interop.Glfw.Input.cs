using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Glfw
    {
        /// <summary>Added to a code point queued by the char callback, to tell it from a GLFW_KEY_*.</summary>
        internal const int CharBase = 0x100000;

        private const int KeyRing = 64;

        // Key presses as the callbacks saw them, drained by the window's loop; a fixed ring, so a
        // key costs no allocation. GLFW calls the callbacks from glfwPollEvents on the loop's thread.
        private static readonly int[] s_keys = new int[KeyRing];
        private static readonly Lock s_keyLock = new();
        private static int s_keyHead;
        private static int s_keyCount;

        // The window's sizes as the size callbacks last reported them, so a frame reads them
        // without asking the X server (glfwGetFramebufferSize is a round trip on X11).
        private static int s_windowWidth, s_windowHeight, s_framebufferWidth, s_framebufferHeight;

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetWindowSizeCallback")]
        private static partial nint SetWindowSizeCallback(nint window, delegate* unmanaged<nint, int, int, void> callback);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetFramebufferSizeCallback")]
        private static partial nint SetFramebufferSizeCallback(nint window, delegate* unmanaged<nint, int, int, void> callback);

        /// <summary>Follows <paramref name="window"/>'s size and framebuffer size from now on (one window per process).</summary>
        internal static void TrackSizes(nint window)
        {
            GetWindowSize(window, out s_windowWidth, out s_windowHeight);
            GetFramebufferSize(window, out s_framebufferWidth, out s_framebufferHeight);
            SetWindowSizeCallback(window, &OnWindowSize);
            SetFramebufferSizeCallback(window, &OnFramebufferSize);
        }

        internal static void TrackedSizes(out int windowWidth, out int windowHeight, out int framebufferWidth, out int framebufferHeight)
        {
            windowWidth = Volatile.Read(ref s_windowWidth);
            windowHeight = Volatile.Read(ref s_windowHeight);
            framebufferWidth = Volatile.Read(ref s_framebufferWidth);
            framebufferHeight = Volatile.Read(ref s_framebufferHeight);
        }

        // GLFWwindowsizefun / GLFWframebuffersizefun: (GLFWwindow*, int width, int height)
        [UnmanagedCallersOnly]
        private static void OnWindowSize(nint window, int width, int height)
        {
            Volatile.Write(ref s_windowWidth, width);
            Volatile.Write(ref s_windowHeight, height);
        }

        [UnmanagedCallersOnly]
        private static void OnFramebufferSize(nint window, int width, int height)
        {
            Volatile.Write(ref s_framebufferWidth, width);
            Volatile.Write(ref s_framebufferHeight, height);
        }

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetKeyCallback")]
        private static partial nint SetKeyCallback(nint window, delegate* unmanaged<nint, int, int, int, int, void> callback);

        [LibraryImport(Libraries.Glfw, EntryPoint = "glfwSetCharCallback")]
        private static partial nint SetCharCallback(nint window, delegate* unmanaged<nint, uint, void> callback);

        /// <summary>Queues <paramref name="window"/>'s key presses (GLFW_PRESS) and the characters '+' and '-' (layout-independent zoom keys).</summary>
        internal static void ListenForKeys(nint window)
        {
            lock (s_keyLock)
            {
                s_keyHead = 0;
                s_keyCount = 0;
            }

            SetKeyCallback(window, &OnKey);
            SetCharCallback(window, &OnChar);
        }

        internal static bool TryTakeKey(out int key)
        {
            lock (s_keyLock)
            {
                if (s_keyCount == 0)
                {
                    key = 0;
                    return false;
                }

                key = s_keys[s_keyHead];
                s_keyHead = (s_keyHead + 1) % KeyRing;
                s_keyCount--;
                return true;
            }
        }

        private static void Enqueue(int key)
        {
            lock (s_keyLock)
            {
                if (s_keyCount < KeyRing)
                {
                    s_keys[(s_keyHead + s_keyCount) % KeyRing] = key;
                    s_keyCount++;
                }
            }
        }

        // GLFWkeyfun: (GLFWwindow*, int key, int scancode, int action, int mods)
        [UnmanagedCallersOnly]
        private static void OnKey(nint window, int key, int scancode, int action, int mods)
        {
            if (action == GLFW_PRESS)
            {
                Enqueue(key);
            }
        }

        // GLFWcharfun: (GLFWwindow*, unsigned int codepoint)
        [UnmanagedCallersOnly]
        private static void OnChar(nint window, uint codepoint)
        {
            if (codepoint is '+' or '-')
            {
                Enqueue(CharBase + (int)codepoint);
            }
        }
    }
}
