using VgpuView.VfioPlanes.Planes;

namespace VgpuView.VfioPlanes.Capture;

/// <summary>
/// A plane the CPU compositor cannot turn into pixels: the device gave a layout the converter
/// refuses (Yf tiling, an odd-width YUYV plane) or a picture too large to hold. A fault of the
/// device's data, so it names the plane; the converter's own exception is the inner one. An
/// <see cref="IOException"/>, as a failed read of the plane is: what came from the device could
/// not be made into a picture.
/// </summary>
public sealed class PlaneConversionException(PlaneInfo plane, Exception inner)
    : IOException($"{plane.Plane.Name()} plane: {Reason(inner)}", inner)
{
    /// <summary>The plane's layout as the device gave it.</summary>
    public PlaneInfo Plane { get; } = plane;

    /// <summary>The converter's reason, without the parameter name an <see cref="ArgumentException"/> appends.</summary>
    public string Reason() => Reason(InnerException!);

    private static string Reason(Exception e) =>
        e is ArgumentException { ParamName: string name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
