namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// Replaces a file all at once: readers see the old file or the whole new one, never a part,
/// and an interrupted or failed write leaves the target as it was.
/// </summary>
/// <remarks>
/// What the path names decides how it is written. A regular file, or a name not yet taken, is
/// replaced by a temporary file renamed over it. A symbolic link stays a link: the file it
/// finally points to is replaced that way, in that file's directory. A FIFO or a character device
/// (a pipe a script reads, /dev/stdout, /dev/null) is written straight into, because renaming over
/// it would put a plain file where the FIFO or device node was; such a write is not atomic, and a
/// failure part way leaves what was already written. A block device or socket is refused.
/// </remarks>
public static class AtomicFile
{
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
    public static bool Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using Pending file = Pending.Create(path);
        write(file.Stream);
        return file.Commit();
    }

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
            throw new IOException($"cannot write '{path}': {e.Message}", e);
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

        public static Pending Create(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            string full = Path.GetFullPath(path);
            if (Path.GetFileName(full).Length == 0)
            {
                throw new IOException($"cannot write '{path}': it names a directory, not a file");
            }

            // The type of what the path finally names, links followed; 0 when nothing is there yet
            // (or the path cannot be examined, which creating the temporary file then reports).
            int type = Interop.Libc.FileType(full, followSymlinks: true, out _);
            switch (type)
            {
                case Interop.Libc.S_IFIFO or Interop.Libc.S_IFCHR:
                    return Straight(path, full);
                case Interop.Libc.S_IFBLK or Interop.Libc.S_IFSOCK:
                    throw new IOException(
                        $"cannot write '{path}': it is a {(type == Interop.Libc.S_IFBLK ? "block device" : "socket")}; " +
                        "give a regular file, a FIFO or a character device");
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
                return new Pending(path, full, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot write '{path}': cannot create a file in '{directory}': {e.Message}", e);
            }
        }

        // True when the target was replaced, false when it was written into.
        public bool Commit()
        {
            if (_temp is null)
            {
                // fsync means nothing to a pipe or a device; the bytes only need to leave the buffer.
                AtomicFile.Commit(_path, Stream.Flush);
                Stream.Dispose();
                return false;
            }

            AtomicFile.Commit(_path, () => Stream.Flush(flushToDisk: true));
            Stream.Dispose();
            AtomicFile.Commit(_path, () => File.Move(_temp, _full!, overwrite: true));
            _renamed = true;
            return true;
        }

        public void Dispose()
        {
            try
            {
                Stream.Dispose();
            }
            catch (Exception e) when (_temp is null && e is IOException or UnauthorizedAccessException)
            {
                // The write that failed already said why; a pipe whose reader left fails its last flush too.
            }

            if (_temp is not null && !_renamed)
            {
                TryDelete(_temp);
            }
        }

        // Opening a FIFO waits for a reader, as a shell redirection does.
        private static Pending Straight(string path, string full)
        {
            try
            {
                return new Pending(path, null, null, new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1 << 16));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot write '{path}': {e.Message}", e);
            }
        }

        // The file a symbolic link finally names, so the rename replaces that file and leaves the
        // link. realpath(3) also resolves the links of /proc/self/fd; it fails when the last link
        // dangles, and then the chain is followed by reading each link.
        private static string FinalTarget(string path, string link)
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
                throw new IOException($"cannot write '{path}': cannot follow the symbolic link: {e.Message}", e);
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
            throw new IOException($"cannot write '{path}': {e.Message}", e);
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
