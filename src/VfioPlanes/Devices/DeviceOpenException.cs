namespace VgpuView.VfioPlanes.Devices;

/// <summary>
/// A device could not be opened, with a message that says what to do about it (load a module,
/// fix permissions, create the mdev, stop the process that holds the group).
/// </summary>
public sealed class DeviceOpenException : VfioException
{
    public DeviceOpenException(string message)
        : base(message)
    {
    }

    public DeviceOpenException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The errno of the failed call behind this, 0 when none.</summary>
    public int SystemErrno => (InnerException as VfioException)?.Errno ?? 0;
}
