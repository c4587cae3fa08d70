using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VgpuView.VfioPlanes.IO;

namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// Writes a file the user named as the output of a command. A file is replaced all at once:
/// readers see the old file or the whole new one, never a part, and an interrupted or failed
/// write leaves the target as it was. A FIFO or character device is written into as a stream.
/// </summary>
/// <remarks>
/// What the path names decides how it is written. A regular file, or a name not yet taken, is
/// replaced by a temporary file renamed over it. A symbolic link stays a link: the file it
/// finally points to is replaced that way, in that file's directory. A FIFO or a character device
/// (a pipe a script reads, /dev/stdout, /dev/null) is written straight into, because renaming over
/// it would put a plain file where the FIFO or device node was; such a write is not atomic, and a
/// failure part way leaves what was already written. A block device or socket is refused.
/// Every failure says which file was asked for, never the temporary file, and removes the
/// temporary file: a full disk (ENOSPC) leaves nothing behind, however often it is retried.
/// </remarks>
public static class OutputFile
{
    // Temporary files not yet renamed or removed, so that a process that must end at once (a
    // second SIGTERM, or one a command did not answer in time) can remove them first.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> s_pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Removes the temporary files of every write under way in this process, for a process about
    /// to end at once: the writes then fail, and no half-written file is left behind.
    /// </summary>
    public static void RemoveTemporaryFiles()
    {
        foreach (string temp in s_pending.Keys)
        {
            TryDelete(temp);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a new temporary file in the target's directory, flushes it
    /// to disk (fsync), then renames it over <paramref name="path"/>. rename(2) within one
    /// filesystem replaces the target atomically, which is why the temporary file sits beside it.
    /// On any failure, including an exception from <paramref name="write"/> (which propagates
    /// unchanged), the temporary file is removed. See the remarks on the class for links, FIFOs
    /// and devices.
    /// </summary>
    /// <returns>
    /// True when a file was replaced; false when <paramref name="path"/> is a FIFO or character
    /// device that was written into, so that no file now holds the bytes (a caller that prints the
    /// path of what it wrote would otherwise print it into the same stream, with -o /dev/stdout).
    /// </returns>
    /// <exception cref="IOException">The directory cannot take a new file, the path names something that is not a file, or the flush or rename failed; the message names <paramref name="path"/>.</exception>
    public static bool Write(string path, Action<Stream> write) => WriteUnlessCancelled(path, write, CancellationToken.None);

    /// <summary>As <see cref="Write(string, Action{Stream})"/>; <paramref name="cancel"/> ends a wait for a FIFO's reader, and a cancellation seen before the rename leaves the target as it was.</summary>
    /// <returns>As the other overload.</returns>
    /// <exception cref="IOException">As the other overload.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled before the file was complete.</exception>
    public static bool WriteUnlessCancelled(string path, Action<Stream> write, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(write);
        using Pending file = Pending.Create(path, cancel);
        try
        {
            write(file.Stream);
        }
        catch (IOException e) when (e is not InputException)
        {
            // The stream's own failure (ENOSPC, EIO) names the temporary file: name the target.
            throw new IOException($"cannot write '{PrintableText.Of(path)}': {Reason(e)}", e);
        }

        cancel.ThrowIfCancellationRequested();
        return file.Commit();
    }

    /// <summary>
    /// Refuses, before any work, a path <see cref="Write(string, Action{Stream})"/> could not write:
    /// a directory, a block device or socket, a directory that does not exist or takes no new
    /// files. A temporary file is created and removed beside the target, as writing does there.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it and says why.</exception>
    public static void CheckWritable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string shown = PrintableText.Of(path);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new IOException($"cannot write '{shown}': it is not a file name");
        }

        string full = Path.GetFullPath(path);
        int type = Interop.Libc.FileType(full, followSymlinks: true, out _);
        if (type == Interop.Libc.S_IFDIR || Path.GetFileName(full).Length == 0 || Path.EndsInDirectorySeparator(path))
        {
            throw new IOException($"cannot write '{shown}': it names a directory, not a file");
        }

        if (type is Interop.Libc.S_IFIFO or Interop.Libc.S_IFCHR)
        {
            return;
        }

        if (type is Interop.Libc.S_IFBLK or Interop.Libc.S_IFSOCK)
        {
            throw NotAFile(path, type);
        }

        if (Interop.Libc.FileType(full, followSymlinks: false, out _) == Interop.Libc.S_IFLNK)
        {
            full = Pending.FinalTarget(path, full);
        }

        string directory = Path.GetDirectoryName(full) ?? "/";
        if (Interop.Libc.FileType(directory, followSymlinks: true, out _) != Interop.Libc.S_IFDIR)
        {
            throw new IOException($"cannot write '{shown}': the directory {PrintableText.Of(directory)} does not exist");
        }

        string probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Random.Shared.Next():x8}.probe");
        try
        {
            using var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write '{shown}': cannot create a file in {PrintableText.Of(directory)}: {Reason(e)}", e);
        }
    }

    /// <summary>Why a write failed, in words that name no temporary file: the errno's text when the exception carries one.</summary>
    internal static string Reason(Exception e)
    {
        // On Unix, .NET's IOExceptions from a system call carry the errno as their HResult.
        int errno = e is VfioException v ? v.Errno : e.HResult;
        if (errno is > 0 and < 4096)
        {
            return $"{Marshal.GetPInvokeErrorMessage(errno)} ({Errno.Name(errno)})";
        }

        return e is UnauthorizedAccessException ? "permission denied" : PrintableText.Of(e.Message);
    }

    private static IOException NotAFile(string path, int type) => new(
        $"cannot write '{PrintableText.Of(path)}': it is a {(type == Interop.Libc.S_IFBLK ? "block device" : "socket")}; " +
        "give a regular file, a FIFO or a character device");

    /// <summary>As <see cref="Write(string, Action{Stream})"/>, writing <paramref name="bytes"/> (a plane's mapping, say) with no copy.</summary>
    /// <returns>As the other overload.</returns>
    /// <exception cref="IOException">As the other overload.</exception>
    public static bool Write(string path, ReadOnlySpan<byte> bytes)
    {
        using Pending file = Pending.Create(path);
        try
        {
            file.Stream.Write(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write '{PrintableText.Of(path)}': {Reason(e)}", e);
        }

        return file.Commit();
    }

    // The temporary file beside the target: renamed over it by Commit, removed by Dispose otherwise.
    // For a FIFO or character device there is no temporary file: Stream is the target itself.
    private sealed class Pending : IDisposable
    {
        private readonly string _path;
        private readonly string? _full;
        private readonly string? _temp;
        private bool _renamed;

        private Pending(string path, string? full, string? temp, FileStream stream)
        {
            _path = path;
            _full = full;
            _temp = temp;
            Stream = stream;
        }

        public FileStream Stream { get; }

        public static Pending Create(string path, CancellationToken cancel = default)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                throw new IOException($"cannot write '{PrintableText.Of(path)}': it is not a file name");
            }

            string full = Path.GetFullPath(path);
            if (Path.GetFileName(full).Length == 0)
            {
                throw new IOException($"cannot write '{PrintableText.Of(path)}': it names a directory, not a file");
            }

            // The type of what the path finally names, links followed; 0 when nothing is there yet
            // (or the path cannot be examined, which creating the temporary file then reports).
            int type = Interop.Libc.FileType(full, followSymlinks: true, out _);
            switch (type)
            {
                case Interop.Libc.S_IFIFO or Interop.Libc.S_IFCHR:
                    return Straight(path, full, cancel);
                case Interop.Libc.S_IFBLK or Interop.Libc.S_IFSOCK:
                    throw NotAFile(path, type);
                case Interop.Libc.S_IFDIR:
                    throw new IOException($"cannot write '{PrintableText.Of(path)}': it names a directory, not a file");
            }

            if (Interop.Libc.FileType(full, followSymlinks: false, out _) == Interop.Libc.S_IFLNK)
            {
                full = FinalTarget(path, full);
            }

            string name = Path.GetFileName(full);
            string directory = Path.GetDirectoryName(full) ?? "/";

            // Hidden, and unique per process and call, so concurrent captures to one name do not collide.
            string temp = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp");
            try
            {
                s_pending[temp] = 0;
                return new Pending(path, full, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                s_pending.TryRemove(temp, out _);
                throw new IOException($"cannot write '{PrintableText.Of(path)}': cannot create a file in '{PrintableText.Of(directory)}': {Reason(e)}", e);
            }
        }

        // True when the target was replaced, false when it was written into.
        public bool Commit()
        {
            if (_temp is null)
            {
                // fsync means nothing to a pipe or a device; the bytes only need to leave the buffer.
                OutputFile.Commit(_path, Stream.Flush);
                Stream.Dispose();
                return false;
            }

            OutputFile.Commit(_path, () => Stream.Flush(flushToDisk: true));
            OutputFile.Commit(_path, Stream.Dispose);
            OutputFile.Commit(_path, () => File.Move(_temp, _full!, overwrite: true));
            _renamed = true;
            s_pending.TryRemove(_temp, out _);
            return true;
        }

        public void Dispose()
        {
            try
            {
                Stream.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The write that failed already said why: disposing flushes what is buffered, and
                // on a full disk or a pipe whose reader left that fails again. It must not hide
                // the first failure, nor keep the temporary file from being removed.
            }

            if (_temp is not null && !_renamed)
            {
                TryDelete(_temp);
                s_pending.TryRemove(_temp, out _);
            }
        }

        // Opening a FIFO waits for a reader, as a shell redirection does, but in slices that a
        // cancellation (SIGINT, SIGTERM) ends: a blocking open(2) would ignore it. With
        // O_NONBLOCK, opening a FIFO for writing fails with ENXIO while no reader has it open.
        private static Pending Straight(string path, string full, CancellationToken cancel)
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                SafeFileHandle handle = Interop.Libc.OpenFile(full, Interop.Libc.O_WRONLY | Interop.Libc.O_NONBLOCK | Interop.Libc.O_CLOEXEC);
                if (handle.IsInvalid)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    handle.Dispose();
                    if (errno == Errno.ENXIO && Interop.Libc.FileType(full, followSymlinks: true, out _) == Interop.Libc.S_IFIFO)
                    {
                        cancel.WaitHandle.WaitOne(50);
                        continue;
                    }

                    throw new IOException($"cannot write '{PrintableText.Of(path)}': {Reason(Errno.ExceptionFor(errno, "open", full))}");
                }

                // Writes block as usual once a reader is there; a pipe that fills waits for it.
                int flags = Interop.Libc.Fcntl(handle, Interop.Libc.F_GETFL, 0);
                Interop.Libc.Fcntl(handle, Interop.Libc.F_SETFL, flags & ~Interop.Libc.O_NONBLOCK);
                try
                {
                    return new Pending(path, null, null, new FileStream(handle, FileAccess.Write, bufferSize: 1 << 16));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    handle.Dispose();
                    throw new IOException($"cannot write '{PrintableText.Of(path)}': {Reason(e)}", e);
                }
            }
        }

        // The file a symbolic link finally names, so the rename replaces that file and leaves the
        // link. realpath(3) also resolves the links of /proc/self/fd; it fails when the last link
        // dangles, and then the chain is followed by reading each link.
        internal static string FinalTarget(string path, string link)
        {
            if (Interop.Libc.RealPath(link) is string real)
            {
                return real;
            }

            try
            {
                return File.ResolveLinkTarget(link, returnFinalTarget: true)?.FullName ?? link;
            }
            catch (IOException e)
            {
                throw new IOException($"cannot write '{PrintableText.Of(path)}': cannot follow the symbolic link: {Reason(e)}", e);
            }
        }
    }

    private static void Commit(string path, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write '{PrintableText.Of(path)}': {Reason(e)}", e);
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is what the caller needs to see; a leftover hidden temp file is secondary.
        }
    }
}
