using System.Globalization;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.IO;

/// <summary>What <see cref="BoundedFile.Inspect"/> found at a path, links followed.</summary>
/// <param name="IsRegular">A regular file, whose <paramref name="Length"/> is what a read gives.</param>
/// <param name="Length">The size stat(2) reports; for a FIFO, device or sysfs attribute it says nothing of what a read gives.</param>
/// <param name="Kind">"regular file", "FIFO", "character device" or "block device".</param>
public readonly record struct FileFacts(bool IsRegular, long Length, string Kind);

/// <summary>
/// The one way a file a user names is read: never more than a stated number of bytes, links
/// followed, and never stuck. A FIFO with no writer, a device that never ends (/dev/zero) or a
/// sysfs attribute whose stat size is a guess are read like any file, through read(2) on a
/// non-blocking descriptor that waits in poll(2) slices, so a cancellation (SIGINT, SIGTERM) or a
/// timeout ends the wait. Every failure is an <see cref="InputException"/> whose one-line message
/// names the file and says what it is instead (missing, a dangling or looping link, a directory,
/// a socket, too large, or silent).
/// </summary>
public static class BoundedFile
{
    // How long one poll waits before the cancellation and the deadline are looked at again.
    private const int PollSliceMs = 100;

    /// <summary>Reads all of <paramref name="path"/>, which must not hold more than <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file as the user gave it.</param>
    /// <param name="maxBytes">The most the file may hold; one more byte is an error naming the limit.</param>
    /// <param name="what">What the file is to the user, as in "needle" or "replay file": messages start with it.</param>
    /// <param name="cancel">Ends a wait for a FIFO's writer or a slow device with <see cref="OperationCanceledException"/>.</param>
    /// <param name="timeout">How long to wait for each read at most; null waits until cancelled.</param>
    /// <exception cref="InputException">The file cannot be read, is not a file, is larger than allowed, or nothing came in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled while waiting.</exception>
    public static byte[] ReadAll(string path, int maxBytes, string what, CancellationToken cancel = default, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using SafeFdHandle fd = OpenForRead(path, what, out int type, out long length);
        if (type == Interop.Libc.S_IFREG && length > maxBytes)
        {
            throw TooLarge(path, what, maxBytes, length);
        }

        // A regular file is read into one array of its length (a read past it tells a file that
        // grew); anything else is read in chunks, so a stream that never ends costs no more than
        // the limit before it is refused, and no array is copied on the way.
        DateTime? deadline = timeout is TimeSpan t ? DateTime.UtcNow + t : null;
        var chunks = new List<byte[]>();
        long total = 0;
        int chunkSize = type == Interop.Libc.S_IFREG && length > 0 ? (int)length : 64 * 1024;
        while (true)
        {
            byte[] chunk = new byte[chunkSize];
            int filled = 0;
            while (filled < chunk.Length)
            {
                int n = ReadSome(fd, chunk.AsSpan(filled), path, what, cancel, deadline, timeout);
                if (n == 0)
                {
                    break;
                }

                filled += n;
                if (total + filled > maxBytes)
                {
                    throw TooLarge(path, what, maxBytes, type == Interop.Libc.S_IFREG ? Math.Max(length, total + filled) : -1);
                }
            }

            if (filled < chunk.Length && chunks.Count == 0)
            {
                return chunk[..filled];
            }

            if (filled == 0 && chunks.Count == 1)
            {
                return chunks[0];
            }

            chunks.Add(filled == chunk.Length ? chunk : chunk[..filled]);
            total += filled;
            if (filled < chunk.Length)
            {
                byte[] all = new byte[total];
                int at = 0;
                foreach (byte[] c in chunks)
                {
                    c.CopyTo(all, at);
                    at += c.Length;
                }

                return all;
            }

            chunkSize = (int)Math.Min(1 << 20, (long)maxBytes + 1 - total);
            chunkSize = Math.Max(chunkSize, 1);
        }
    }

    /// <summary>Reads <paramref name="path"/> into <paramref name="destination"/> until it is full or the file ends; returns how many bytes came. Reads no more than it needs.</summary>
    /// <exception cref="InputException">As <see cref="ReadAll"/>.</exception>
    /// <exception cref="OperationCanceledException">As <see cref="ReadAll"/>.</exception>
    public static int ReadInto(string path, Span<byte> destination, string what, CancellationToken cancel = default, TimeSpan? timeout = null)
    {
        using SafeFdHandle fd = OpenForRead(path, what, out _, out _);
        DateTime? deadline = timeout is TimeSpan t ? DateTime.UtcNow + t : null;
        int filled = 0;
        while (filled < destination.Length)
        {
            int n = ReadSome(fd, destination.Slice(filled), path, what, cancel, deadline, timeout);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    /// <summary>What <paramref name="path"/> names, links followed, without opening it: a FIFO is not waited on.</summary>
    /// <exception cref="InputException">Nothing readable is there: missing, a dangling or looping link, a directory, a socket.</exception>
    public static FileFacts Inspect(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InputException($"{what} '{PrintableText.Of(path)}' holds a NUL character, which no file name can");
        }

        // stat(2) through the links: a link's own size (the length of its target's name) says nothing.
        int type = Interop.Libc.FileType(path, followSymlinks: true, out long length, out int errno);
        if (type == 0)
        {
            throw NotOpened(path, what, errno);
        }

        return new FileFacts(type == Interop.Libc.S_IFREG, type == Interop.Libc.S_IFREG ? length : 0, CheckKind(path, what, type));
    }

    private static SafeFdHandle OpenForRead(string path, string what, out int type, out long length)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InputException(path.Length == 0 ? $"{what}: an empty string is not a file name" : $"{what} '{PrintableText.Of(path)}' holds a NUL character, which no file name can");
        }

        // O_NONBLOCK: opening a FIFO for reading does not wait for a writer; the reads wait in poll.
        SafeFdHandle fd = Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_NONBLOCK | Interop.Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw NotOpened(path, what, errno);
        }

        try
        {
            type = Interop.Libc.FileType(fd, out length, out int errno);
            if (type == 0)
            {
                throw new InputException($"{what} '{PrintableText.Of(path)}' cannot be examined ({Errno.Name(errno)}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");
            }

            CheckKind(path, what, type);
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static string CheckKind(string path, string what, int type) => type switch
    {
        Interop.Libc.S_IFREG => "regular file",
        Interop.Libc.S_IFIFO => "FIFO",
        Interop.Libc.S_IFCHR => "character device",
        Interop.Libc.S_IFBLK => "block device",
        Interop.Libc.S_IFDIR => throw new InputException($"{what} '{PrintableText.Of(path)}' is a directory, not a file"),
        Interop.Libc.S_IFSOCK => throw new InputException($"{what} '{PrintableText.Of(path)}' is a socket, not a file"),
        _ => throw new InputException($"{what} '{PrintableText.Of(path)}' is not a file (type 0{Convert.ToString(type, 8)})"),
    };

    // One read(2) of at most buffer.Length bytes: 0 at the end of the file. A descriptor with
    // nothing to read yet (a FIFO before its writer writes) waits in poll slices.
    private static int ReadSome(SafeFdHandle fd, Span<byte> buffer, string path, string what, CancellationToken cancel, DateTime? deadline, TimeSpan? timeout)
    {
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            // A FIFO opened without a writer reads as at its end at once; poll waits for the first
            // writer (Linux reports POLLHUP only once a writer has come and gone), so poll first.
            int ready = Interop.Libc.Poll(fd, Interop.Libc.POLLIN, PollSliceMs, out short revents);
            if (ready < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                throw ReadFailed(path, what, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }

            if (ready <= 0 || revents == 0)
            {
                if (deadline is DateTime d && DateTime.UtcNow >= d)
                {
                    throw new InputException(string.Create(CultureInfo.InvariantCulture,
                        $"{what} '{PrintableText.Of(path)}': nothing came to read in {timeout!.Value.TotalSeconds:0.###} s (a FIFO that no program writes to?)"));
                }

                continue;
            }

            nint n = Interop.Libc.Read(fd, buffer);
            if (n >= 0)
            {
                return (int)n;
            }

            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is not (Errno.EAGAIN or Errno.EINTR))
            {
                throw ReadFailed(path, what, errno);
            }
        }
    }

    private static InputTooLargeException TooLarge(string path, string what, int maxBytes, long length) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{what} '{PrintableText.Of(path)}' is larger than the limit of {Size(maxBytes)}{(length > 0 ? $" ({length} bytes)" : string.Empty)}"), maxBytes);

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB"),
        >= 1 << 10 when bytes % (1 << 10) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static InputException ReadFailed(string path, string what, int errno) =>
        new($"{what} '{PrintableText.Of(path)}' cannot be read: {Errno.Name(errno)} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");

    private static InputException NotOpened(string path, string what, int errno)
    {
        string shown = PrintableText.Of(path);
        switch (errno)
        {
            case Errno.ENOENT:
                // A dangling link is there, but what it names is not: say which.
                string? target = Interop.Libc.FileType(path, followSymlinks: false, out _) == Interop.Libc.S_IFLNK ? Interop.Libc.ReadLink(path) : null;
                return new InputException(target is null
                    ? $"{what} '{shown}' does not exist"
                    : $"{what} '{shown}' is a symbolic link to '{PrintableText.Of(target)}', which does not exist");
            case Errno.ELOOP:
                return new InputException($"{what} '{shown}' is a loop of symbolic links");
            case Errno.ENOTDIR:
                return new InputException($"{what} '{shown}' does not exist: a part of the path before the file name is not a directory");
            case Errno.EACCES or Errno.EPERM:
                return new InputException($"{what} '{shown}' cannot be read: permission denied");
            case Errno.ENXIO:
                // open(2) of a UNIX socket fails with ENXIO.
                return new InputException($"{what} '{shown}' is a socket, not a file");
            case Errno.ENAMETOOLONG:
                return new InputException($"{what} '{shown}': the name is too long for a path");
            default:
                return new InputException($"{what} '{shown}' cannot be opened: {Errno.Name(errno)} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");
        }
    }
}
