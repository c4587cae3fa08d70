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
