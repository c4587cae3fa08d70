namespace VgpuView.Viewer.Commands;

/// <summary>A mistake on the command line that the parser could not see (a bad device spec, a bad option value).</summary>
internal sealed class UsageException(string message, Exception? inner = null) : Exception(message, inner);
