using System.Runtime.InteropServices;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint MFD_CLOEXEC = 0x0001;
        internal const uint MFD_ALLOW_SEALING = 0x0002;

        internal const int F_ADD_SEALS = 1033;
        internal const int F_GET_SEALS = 1034;
        internal const int F_SEAL_SEAL = 0x0001;
        internal const int F_SEAL_SHRINK = 0x0002;
        internal const int F_SEAL_GROW = 0x0004;

        // Returns a C int, so the handle is made from it here (see Interop.Open.cs).
        [LibraryImport(Libraries.Libc, EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int MemfdCreateRaw(string name, uint flags);

        /// <summary>memfd_create(2); an invalid handle with errno set on failure.</summary>
        internal static SafeFdHandle MemfdCreate(string name, uint flags) => new(MemfdCreateRaw(name, flags), ownsHandle: true);
    }
}
