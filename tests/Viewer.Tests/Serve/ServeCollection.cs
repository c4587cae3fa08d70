// The serve tests run as one collection, apart from the others.
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

/// <summary>
/// The serve tests open many connections and move frames as fast as the machine allows; run
/// alone, they neither starve the timing tests of `view` nor are starved by them into the
/// server's stall timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServeCollection
{
    public const string Name = "serve";
}
