using VgpuView.VfioPlanes.Devices;
using VgpuView.Viewer.Window;

namespace VgpuView.Viewer.Commands;

/// <summary>
/// `vgpuview view`: the guest's screen in a window, kept current at the display's refresh, the
/// cursor plane on top; keys for scaling, HUD, cursor, fullscreen and screenshots.
/// </summary>
internal sealed class ViewHandler(CommandContext context)
{
    public int Run(ViewOptions options)
    {
        ViewSettings settings = options.ToSettings();
        using VgpuDevice device = context.Opener.Open(options.Device);
        if (!device.Probe().Any)
        {
            context.Error.WriteLine($"vgpuview: {device.Name}: the device exports no display (neither dma-buf nor region planes answer the probe)");
            return ExitCodes.DeviceFailure;
        }

        using var view = new ViewWindow(context.Output, context.Error, device, settings);
        return ExitCode(view.Run(context.Cancellation));
    }

    /// <summary>The command's exit code for how the window ended.</summary>
    internal static int ExitCode(ViewOutcome outcome) => outcome switch
    {
        ViewOutcome.Closed => ExitCodes.Success,
        ViewOutcome.Interrupted => ExitCodes.Interrupted,
        ViewOutcome.DeviceGone => ExitCodes.DeviceFailure,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a view outcome"),
    };
}
