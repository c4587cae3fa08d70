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
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        string directory = Path.GetDirectoryName(full) ?? "/";
        if (name.Length == 0)
        {
            throw new IOException($"cannot write '{path}': it names a directory, not a file");
        }

        // Hidden, and unique per process and call, so concurrent captures to one name do not collide.
        string temp = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp");
        FileStream stream;
        try
        {
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write '{path}': cannot create a file in '{directory}': {e.Message}", e);
        }

        bool renamed = false;
        try
        {
            using (stream)
            {
                write(stream);
                Commit(path, () => stream.Flush(flushToDisk: true));
            }

            Commit(path, () => File.Move(temp, full, overwrite: true));
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                TryDelete(temp);
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
