using System.Runtime.InteropServices;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var stop = new CancellationTokenSource();

        // Ctrl-C and SIGTERM end long-running commands cleanly, so every fd and mapping is released.
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        var context = new CommandContext
        {
            Output = Console.Out,
            Error = Console.Error,
            Opener = DeviceOpener.FromEnvironment(),
            Cancellation = stop.Token,
            ErrorIsTerminal = !Console.IsErrorRedirected,
            OpenStandardOutput = Console.OpenStandardOutput,
        };
        return ViewerCommandLine.Run(args, context);

        void Cancel(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
    }
}
