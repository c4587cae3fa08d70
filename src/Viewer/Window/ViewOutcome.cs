// How a view window's loop ended, for the command to turn into its exit code.
namespace VgpuView.Viewer.Window;

internal enum ViewOutcome
{
    /// <summary>Closed by the window's close button or a quit key, or the frame limit was reached.</summary>
    Closed,

    /// <summary>Stopped from outside (Ctrl+C, SIGTERM) through the loop's cancellation token.</summary>
    Interrupted,

    /// <summary>The device stopped answering; the window showed so until it was closed.</summary>
    DeviceGone,
}
