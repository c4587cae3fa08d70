using System.Runtime.InteropServices;
using System.Text;

// What the wrappers over Tmds.LibC do by hand that a [LibraryImport] would generate: lend a
// SafeHandle's descriptor to a call, and pass a path as the NUL-terminated UTF-8 libc reads.
internal static partial class Interop
{
    /// <summary>
    /// A SafeHandle's descriptor number, lent for one call: the handle cannot be closed (and its
    /// number reused by another open) until this is disposed. Disposing keeps the call's errno,
    /// even when the release is the one that closes the descriptor.
    /// </summary>
    /// <example><c>using var fd = new BorrowedFd(handle); int rc = LibC.fcntl(fd.Value, cmd, arg);</c></example>
    internal ref struct BorrowedFd
    {
        private readonly SafeHandle _handle;
        private bool _added;

        /// <exception cref="ObjectDisposedException">The handle is already closed.</exception>
        internal BorrowedFd(SafeHandle handle)
        {
            _handle = handle;
            handle.DangerousAddRef(ref _added);
            Value = (int)handle.DangerousGetHandle();
        }

        /// <summary>The descriptor number, valid until <see cref="Dispose"/>.</summary>
        internal int Value { get; }

        internal void Dispose()
        {
            if (_added)
            {
                _added = false;
                int errno = Marshal.GetLastPInvokeError();
                _handle.DangerousRelease();
                Marshal.SetLastPInvokeError(errno);
            }
        }
    }

    /// <summary>Paths and names as the C strings libc takes.</summary>
    internal static class CString
    {
        /// <summary>Bytes of a path that fit on the stack; longer ones (rare: PATH_MAX is 4096) go to the heap.</summary>
        internal const int StackBytes = 512;

        /// <summary>
        /// <paramref name="text"/> in UTF-8 with a NUL after it, in <paramref name="buffer"/> when it
        /// fits (give it <c>stackalloc byte[CString.StackBytes]</c>), else in a new array. A NUL
        /// inside the text ends the string there for libc, as with [LibraryImport]'s UTF-8 marshalling.
        /// </summary>
        internal static Span<byte> Utf8(string text, Span<byte> buffer)
        {
            ArgumentNullException.ThrowIfNull(text);
            int length = Encoding.UTF8.GetByteCount(text);
            Span<byte> bytes = length < buffer.Length ? buffer : new byte[length + 1];
            Encoding.UTF8.GetBytes(text, bytes);
            bytes[length] = 0;
            return bytes.Slice(0, length + 1);
        }
    }
}
