using VgpuView.VfioPlanes.Edid;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>The EDID the simulated vGPU presents for its base mode, as a VMM would have written it before bringing the link up.</summary>
internal static class SimEdid
{
    public const string MonitorName = "vgpuview sim";

    /// <summary>The block for <paramref name="mode"/> at 60 Hz, or null when a detailed timing cannot hold it.</summary>
    public static byte[]? Build(SimMode mode) =>
        EdidBuilder.TryForMode(mode.Width, mode.Height, 60, MonitorName, out byte[]? edid, out _) ? edid : null;
}
