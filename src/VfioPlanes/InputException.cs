namespace VgpuView.VfioPlanes;

/// <summary>
/// A file or text a user gave is not what it must be: missing, the wrong kind of file, too large,
/// malformed, or never arriving. The message is one line that names the file (and the field) and
/// says what was expected; a command line reports it as a usage error.
/// </summary>
public class InputException : IOException
{
    public InputException(string message)
        : base(message)
    {
    }

    public InputException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}

/// <summary>A file a user gave holds more than the documented limit for its kind.</summary>
public sealed class InputTooLargeException(string message, long limit) : InputException(message)
{
    /// <summary>The most the file may hold, in bytes.</summary>
    public long Limit { get; } = limit;
}
