extern alias vfioplanes;

using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.SafeHandles;
using VgpuView.VfioPlanes.Simulation;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Tests.Cli;

/// <summary>
/// Opens the sim of the spec with its cursor plane (or its primary) reported as Yf-tiled: a
/// layout the plane query accepts (a known modifier, whole tiles) that neither the CPU converter
/// nor the GL upload undoes, and that llvmpipe does not list for import.
/// </summary>
internal sealed class YfPlaneOpener(bool primary = false) : IDeviceOpener
{
    public SysfsTree Sysfs { get; } = new();

    public VgpuDevice Open(string spec) => new(Wrap(SimulatedDevices.Open(spec.Length > 4 ? spec[4..] : string.Empty), primary), spec);

    /// <summary>The device with the plane's modifier changed to Yf in every answer that shows a buffer.</summary>
    public static IVfioDevice Wrap(IVfioDevice inner, bool primary) => new YfPlane(inner, primary ? vfioplanes::Interop.Vfio.DRM_PLANE_TYPE_PRIMARY : vfioplanes::Interop.Vfio.DRM_PLANE_TYPE_CURSOR);

    private sealed class YfPlane(IVfioDevice inner, uint planeType) : DelegatingVfioDevice(inner)
    {
        public override int QueryGfxPlane(ref vfioplanes::Interop.Vfio.vfio_device_gfx_plane_info info)
        {
            int errno = Inner.QueryGfxPlane(ref info);
            if (errno == 0 && info.drm_plane_type == planeType && info.drm_format != 0)
            {
                info.drm_format_mod = DrmModifier.I915YfTiled;
            }

            return errno;
        }
    }
}
