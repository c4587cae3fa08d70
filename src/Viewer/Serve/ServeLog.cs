// The server's log: one line per event on standard error, from any thread.
namespace VgpuView.Viewer.Serve;

/// <summary>Writes whole lines under one lock so lines from clients and the frame loop never interleave.</summary>
internal sealed class ServeLog(TextWriter error)
{
    private readonly Lock _gate = new();

    public void Line(string text)
    {
        lock (_gate)
        {
            try
            {
                error.WriteLine($"vgpuview serve: {text}");
                error.Flush();
            }
            catch (IOException)
            {
                // Standard error closed: the server goes on serving.
            }
        }
    }
}
