using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.VfioPlanes.Pixels;

/// <summary>
/// What the converter needs to read a plane: its DRM format, its tiling modifier, its size in
/// pixels and its stride in bytes (for tiled layouts, the bytes of one row of tiles divided by the
/// tile height, as the kernel reports it).
/// </summary>
public readonly record struct PlaneLayout(uint Fourcc, ulong Modifier, int Width, int Height, int Stride)
{
    /// <summary>The layout of a queried plane; a width, height or stride beyond int range is rejected.</summary>
    public static PlaneLayout FromPlane(in PlaneInfo plane)
    {
        if (plane.Width > int.MaxValue || plane.Height > int.MaxValue || plane.Stride > int.MaxValue)
        {
            throw new ArgumentException(
                $"plane {plane.Width}x{plane.Height} with stride {plane.Stride} is beyond what the converter addresses",
                nameof(plane));
        }

        return new PlaneLayout(plane.Fourcc, plane.Modifier, (int)plane.Width, (int)plane.Height, (int)plane.Stride);
    }

    public override string ToString() =>
        $"{DrmFourcc.ToText(Fourcc)} {DrmModifier.ToText(Modifier)} {Width}x{Height} stride {Stride}";
}
