// The program's entry: standard streams and signals set up, then the command line run.
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Standard streams first: a closed one must be known before anything writes to it.
        StandardStreams streams = StandardStreams.Open();

        // Ctrl-C and SIGTERM end long-running commands cleanly, so every fd and mapping is released.
        using ProcessSignals signals = ProcessSignals.Install();

        DeviceOpener opener = DeviceOpener.FromEnvironment();
        opener.Cancellation = signals.Token;
        var context = new CommandContext
        {
            Output = streams.Output,
            Error = streams.Error,
            Opener = opener,
            Cancellation = signals.Token,
            ErrorIsTerminal = streams.ErrorIsTerminal,
            OpenStandardOutput = streams.OpenOutput,
            OutputBroken = streams.OutputBroken,
        };
        return ViewerCommandLine.Run(args, context);
    }
}
