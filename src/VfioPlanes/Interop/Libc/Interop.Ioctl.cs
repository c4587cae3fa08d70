using Tmds.Linux;
using VgpuView.VfioPlanes.SafeHandles;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ioctl(2) is variadic; Tmds.LibC passes the request and the argument pointer-sized, so
        // one call serves every request: the typed wrappers below pass a pointer, or an integer
        // widened to pointer size. The request is a C int there: a number with the top bit set
        // (_IOWR) goes through unchecked, and the kernel reads the low 32 bits (unsigned int cmd).
        // The result is a C int, also where it is a new fd (see Interop.Open.cs), so the
        // wrappers that return an fd make the handle from that int.
        private static unsafe int IoctlRaw(SafeFdHandle fd, uint request, void* arg)
        {
            using var borrowed = new BorrowedFd(fd);
            return LibC.ioctl(borrowed.Value, unchecked((int)request), arg);
        }

        /// <summary>ioctl with a pointer to <paramref name="arg"/>; returns the result, -1 with errno set on failure.</summary>
        internal static unsafe int Ioctl<T>(SafeFdHandle fd, uint request, ref T arg) where T : unmanaged
        {
            fixed (T* p = &arg)
            {
                return IoctlRaw(fd, request, p);
            }
        }

        /// <summary>ioctl whose argument is a byte buffer (variable-sized structs with capability chains, strings).</summary>
        internal static unsafe int Ioctl(SafeFdHandle fd, uint request, Span<byte> arg)
        {
            fixed (byte* p = arg)
            {
                return IoctlRaw(fd, request, p);
            }
        }

        /// <summary>ioctl whose argument is passed by value (an integer, not a pointer).</summary>
        internal static unsafe int Ioctl(SafeFdHandle fd, uint request, nuint value) => IoctlRaw(fd, request, (void*)value);

        /// <summary>
        /// ioctl with a pointer to <paramref name="arg"/> whose result is a new fd, owned by the
        /// returned handle; an invalid handle with errno set on failure.
        /// </summary>
        internal static SafeFdHandle IoctlReturningFd<T>(SafeFdHandle fd, uint request, ref T arg) where T : unmanaged =>
            new(Ioctl(fd, request, ref arg), ownsHandle: true);

        /// <summary>As <see cref="IoctlReturningFd{T}"/>, with a byte buffer argument.</summary>
        internal static SafeFdHandle IoctlReturningFd(SafeFdHandle fd, uint request, Span<byte> arg) =>
            new(Ioctl(fd, request, arg), ownsHandle: true);
    }
}
