using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes;

/// <summary>The errno values this library acts on, and the one mapper from errno to exception.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ENOTTY = 25;
    public const int ENOSPC = 28;
    public const int EPIPE = 32;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EDQUOT = 122;
    public const int EOPNOTSUPP = 95;

    /// <summary>Errors that pass: the next frame tries again (mbochs fails the first query after a mode change with ENOMEM).</summary>
    public static bool IsTransient(int errno) => errno is ENOMEM or EAGAIN or EINTR;

    /// <summary>Errors that mean the device is gone (removed, unbound, or the mdev deleted).</summary>
    public static bool IsDeviceGone(int errno) => errno is ENODEV or EIO or ENXIO;

    /// <summary>The short C name, "ENOMEM", for messages and JSON.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        EIO => "EIO",
        ENXIO => "ENXIO",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENOTDIR => "ENOTDIR",
        EISDIR => "EISDIR",
        ENOTTY => "ENOTTY",
        ENOSPC => "ENOSPC",
        EPIPE => "EPIPE",
        ENAMETOOLONG => "ENAMETOOLONG",
        ELOOP => "ELOOP",
        EDQUOT => "EDQUOT",
        ENOSYS => "ENOSYS",
        EOPNOTSUPP => "EOPNOTSUPP",
        _ => "errno " + errno,
    };

    /// <summary>
    /// Maps an errno from <paramref name="operation"/> on <paramref name="path"/> to an exception:
    /// ENOENT to FileNotFoundException, EACCES and EPERM to UnauthorizedAccessException (the
    /// inner VfioException keeps the errno), everything else to VfioException.
    /// </summary>
    public static Exception ExceptionFor(int errno, string operation, string? path)
    {
        var inner = new VfioException(errno, operation, path);
        return errno switch
        {
            ENOENT => new FileNotFoundException(inner.Message, path, inner),
            EACCES or EPERM => new UnauthorizedAccessException(inner.Message, inner),
            _ => inner,
        };
    }

    /// <summary>Throws for the calling thread's last P/Invoke error. Call it right after the failed call.</summary>
    public static Exception LastError(string operation, string? path) =>
        ExceptionFor(Marshal.GetLastPInvokeError(), operation, path);

    /// <summary>Returns <paramref name="result"/> when it is not negative, else throws for the last error.</summary>
    public static T CheckIo<T>(T result, string operation, string? path) where T : System.Numerics.INumber<T>
    {
        if (result < T.Zero)
        {
            throw LastError(operation, path);
        }

        return result;
    }
}
