using VgpuView.VfioPlanes.Devices;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>Opens the simulated vGPU named by the options after "sim" in a device spec.</summary>
public static class SimulatedDevices
{
    /// <summary>
    /// Opens <c>sim</c> (<paramref name="options"/> empty) or <c>sim:OPTIONS</c>: "mbochs", "mdpy", "gvt",
    /// a mode "WxH", "format=FOURCC", "tiling=x|y|linear" (gvt), "cursor=on|off", or "replay=FILE.json" alone.
    /// Throws <see cref="SimOptionsException"/> for options it does not know, naming the option and what is expected.
    /// A replay's files are read through <see cref="IO.BoundedFile"/>; <paramref name="cancel"/> ends a wait for a FIFO's writer.
    /// </summary>
    internal static IVfioDevice Open(string options) => OpenCancellable(options, CancellationToken.None);

    /// <summary>As <see cref="Open"/>.</summary>
    internal static IVfioDevice OpenCancellable(string options, CancellationToken cancel) => new SimulatedVgpu(SimOptions.Parse(options), cancel);
}
