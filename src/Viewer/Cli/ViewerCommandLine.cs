using System.CommandLine;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.IO;

using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Cli;

/// <summary>
/// The vgpuview command line: parsing and the one place that turns exceptions into messages
/// and exit codes. Commands are built in ViewerCommandLine.Commands.cs, options live in
/// ViewerCommandLine.Options.cs, and each command's work is a handler in Commands/.
/// </summary>
internal static partial class ViewerCommandLine
{
    // The longest message shown: enough for a path and the reason, short of a flood.
    private const int MaxMessage = 2000;

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, CommandContext context)
    {
        RootCommand root = BuildRoot(context);
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in result.Errors)
            {
                context.Error.WriteLine($"vgpuview: {PrintableText.Of(error.Message, MaxMessage)}");
            }

            context.Error.WriteLine($"Run 'vgpuview {CommandPath(result)}--help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = context.Output,
            Error = context.Error,
        };
        try
        {
            return result.Invoke(invocation);
        }
        catch (Exception e)
        {
            return ReportException(e, context.Error);
        }
    }

    /// <summary>
    /// The exception filter: every failure a user can meet becomes one line and an exit code, never a stack trace.
    /// Only the exceptions that carry the user's mistakes mean usage (2): handlers turn what they parse or check
    /// into UsageException, the simulated vGPU's options fail with SimOptionsException, and a file the user named
    /// that is missing, of the wrong kind, too large or malformed fails with InputException. An ArgumentException
    /// from deeper down is a bug or a device's bad answer, not the command line.
    /// Messages are made one line (<see cref="PrintableText"/>): they quote paths and values a user gave.
    /// A pipe whose reader left ends the program with <see cref="ExitCodes.BrokenPipe"/> and no message.
    /// </summary>
    internal static int ReportException(Exception e, TextWriter error)
    {
        switch (e)
        {
            case BrokenPipeException:
                return ExitCodes.BrokenPipe;
            case UsageException or VfioPlanes.Simulation.SimOptionsException or InputException:
                error.WriteLine($"vgpuview: {PrintableText.Of(e.Message, MaxMessage)}");
                return ExitCodes.Usage;
            case OperationCanceledException:
                return ExitCodes.Interrupted;
            case IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or
                Rendering.EglException or Rendering.GlException or DllNotFoundException or EntryPointNotFoundException:
                error.WriteLine($"vgpuview: {PrintableText.Of(e.Message, MaxMessage)}");
                return ExitCodes.DeviceFailure;
            default:
                error.WriteLine($"vgpuview: internal error: {e}");
                return ExitCodes.DeviceFailure;
        }
    }

    private static string CommandPath(ParseResult result)
    {
        string name = result.CommandResult.Command.Name;
        return result.CommandResult.Command is RootCommand ? string.Empty : name + " ";
    }
}
