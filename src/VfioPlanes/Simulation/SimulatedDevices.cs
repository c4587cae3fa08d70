using VgpuView.VfioPlanes.Devices;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>Opens the simulated vGPU named by the options after "sim" in a device spec.</summary>
public static class SimulatedDevices
{
    /// <summary>
    /// Opens <c>sim</c> (<paramref name="options"/> empty) or <c>sim:OPTIONS</c>: "mbochs", "mdpy", "gvt",
    /// a mode "WxH", "format=FOURCC", "tiling=x|y|linear" (gvt), "cursor=on|off", or "replay=FILE.json" alone.
    /// Throws <see cref="SimOptionsException"/> for options it does not know, naming the option and what is expected.
    /// </summary>
    internal static IVfioDevice Open(string options) => new SimulatedVgpu(SimOptions.Parse(options));
}
