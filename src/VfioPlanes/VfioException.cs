using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes;

/// <summary>A failed system call on a device or file, with the errno it returned.</summary>
public class VfioException : IOException
{
    public VfioException(int errno, string operation, string? path)
        : base(Format(errno, operation, path))
    {
        Errno = errno;
        Operation = operation;
        Path = path;
        HResult = errno;
    }

    /// <summary>A failed system call whose message says more than the call (what to do about it).</summary>
    public VfioException(int errno, string operation, string? path, string message)
        : base(message)
    {
        Errno = errno;
        Operation = operation;
        Path = path;
        HResult = errno;
    }

    public VfioException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public VfioException(string message, Exception inner)
        : base(message, inner)
    {
        Operation = string.Empty;
    }

    /// <summary>The errno, or 0 when the failure was not a system call's.</summary>
    public int Errno { get; }

    public string Operation { get; }

    public string? Path { get; }

    private static string Format(int errno, string operation, string? path)
    {
        string where = path is null ? string.Empty : $" on {path}";
        return $"{operation}{where} failed: {Marshal.GetPInvokeErrorMessage(errno)} ({VfioPlanes.Errno.Name(errno)})";
    }
}
