namespace VgpuView.VfioPlanes.IO;

/// <summary>What a user asks to do with a path: the modes of access(2), combinable.</summary>
[Flags]
public enum PathRights
{
    /// <summary>Read the file, or list the directory (R_OK).</summary>
    Read = Interop.Libc.R_OK,

    /// <summary>Write the file, or create and remove names in the directory (W_OK).</summary>
    Write = Interop.Libc.W_OK,

    /// <summary>Look names up in the directory, or execute the file (X_OK).</summary>
    Search = Interop.Libc.X_OK,
}

/// <summary>
/// The one answer to "may this user read or write that path": access(2), which asks the kernel
/// with the real user and group, as an open by this user would be judged, including a read-only
/// filesystem (EROFS) and permissions on every directory on the way.
/// </summary>
public static class PathAccess
{
    /// <summary>Whether this user may do all of <paramref name="rights"/> to <paramref name="path"/> (links followed).</summary>
    /// <param name="errno">0 when allowed, else why not: EACCES, EROFS, ENOENT, ...</param>
    public static bool Allows(string path, PathRights rights, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Interop.Libc.Access(path, (int)rights) == 0)
        {
            errno = 0;
            return true;
        }

        errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return false;
    }
}
