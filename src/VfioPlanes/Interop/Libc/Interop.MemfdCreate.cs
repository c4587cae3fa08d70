using Tmds.Linux;
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

        /// <summary>memfd_create(2); an invalid handle with errno set on failure.</summary>
        /// <remarks>It returns a C int, so the handle is made from it here (see Interop.Open.cs).</remarks>
        internal static unsafe SafeFdHandle MemfdCreate(string name, uint flags)
        {
            Span<byte> buffer = stackalloc byte[CString.StackBytes];
            fixed (byte* p = CString.Utf8(name, buffer))
            {
                return new SafeFdHandle(LibC.memfd_create(p, flags), ownsHandle: true);
            }
        }
    }
}
