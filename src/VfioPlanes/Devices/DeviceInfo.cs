namespace VgpuView.VfioPlanes.Devices;

/// <summary>What VFIO_DEVICE_GET_INFO says about a device: its flags and how many regions and interrupts it has.</summary>
/// <param name="Flags">VFIO_DEVICE_FLAGS_* as the kernel returned them.</param>
/// <param name="NumRegions">Regions 0 to NumRegions - 1; device-specific regions (mdpy's 16) may lie beyond.</param>
/// <param name="NumIrqs">Interrupt indexes.</param>
public sealed record DeviceInfo(uint Flags, uint NumRegions, uint NumIrqs)
{
    private static readonly (uint Flag, string Name)[] s_flagNames =
    [
        (Interop.Vfio.VFIO_DEVICE_FLAGS_RESET, "reset"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_PCI, "pci"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_PLATFORM, "platform"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_AMBA, "amba"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_CCW, "ccw"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_AP, "ap"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_FSL_MC, "fsl-mc"),
        (Interop.Vfio.VFIO_DEVICE_FLAGS_CAPS, "caps"),
    ];

    /// <summary>Whether the device is a (mediated) PCI device, so regions 0-8 are BARs, ROM, config and VGA.</summary>
    public bool IsPci => (Flags & Interop.Vfio.VFIO_DEVICE_FLAGS_PCI) != 0;

    /// <summary>The set flags by name ("reset", "pci", ...), unknown bits as hex, for display.</summary>
    public IReadOnlyList<string> FlagNames
    {
        get
        {
            var names = new List<string>();
            uint known = 0;
            foreach ((uint flag, string name) in s_flagNames)
            {
                known |= flag;
                if ((Flags & flag) != 0)
                {
                    names.Add(name);
                }
            }

            if ((Flags & ~known) != 0)
            {
                names.Add("0x" + (Flags & ~known).ToString("x"));
            }

            return names;
        }
    }
}
