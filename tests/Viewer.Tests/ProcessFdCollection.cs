using Xunit;

namespace VgpuView.Viewer.Tests;

/// <summary>
/// Tests that count the process's open fds (/proc/self/fd) run alone: any test running beside
/// them opens and closes fds of its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessFdCollection
{
    public const string Name = "process fds";
}
