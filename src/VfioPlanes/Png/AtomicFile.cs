namespace VgpuView.VfioPlanes.Png;

/// <summary>
/// Replaces a file all at once: readers see the old file or the whole new one, never a part,
/// and an interrupted or failed write leaves the target as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a new temporary file in the target's directory, flushes it
    /// to disk (fsync), then renames it over <paramref name="path"/>. rename(2) within one
    /// filesystem replaces the target atomically, which is why the temporary file sits beside it.
    /// On any failure, including an exception from <paramref name="write"/> (which propagates
    /// unchanged), the temporary file is removed.
    /// </summary>
    /// <exception cref="IOException">The directory cannot take a new file, or the flush or rename failed; the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using Pending file = Pending.Create(path);
        write(file.Stream);
        file.Commit();
    }

    /// <summary>As <see cref="Write(string, Action{Stream})"/>, writing <paramref name="bytes"/> (a plane's mapping, say) with no copy.</summary>
    /// <exception cref="IOException">As the other overload.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
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

        file.Commit();
    }

    // The temporary file beside the target: renamed over it by Commit, removed by Dispose otherwise.
    private sealed class Pending : IDisposable
    {
        private readonly string _path;
        private readonly string _full;
        private readonly string _temp;
        private bool _renamed;

        private Pending(string path, string full, string temp, FileStream stream)
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
            string name = Path.GetFileName(full);
            string directory = Path.GetDirectoryName(full) ?? "/";
            if (name.Length == 0)
            {
                throw new IOException($"cannot write '{path}': it names a directory, not a file");
            }

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

        public void Commit()
        {
            AtomicFile.Commit(_path, () => Stream.Flush(flushToDisk: true));
            Stream.Dispose();
            AtomicFile.Commit(_path, () => File.Move(_temp, _full, overwrite: true));
            _renamed = true;
        }

        public void Dispose()
        {
            Stream.Dispose();
            if (!_renamed)
            {
                TryDelete(_temp);
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
