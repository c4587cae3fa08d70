namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// Builds the exception for a layout of the device's plane that a converter or the renderer
/// refuses (Yf tiling, a size beyond a texture): a fault of the device, not of the command line,
/// so it is reported as data (exit 1) naming the device and the plane, with the reason without
/// its parameter name.
/// </summary>
public static class PlaneFault
{
    public static InvalidDataException Create(string device, in PlaneInfo plane, Exception reason)
    {
        string text = reason is ArgumentException { ParamName: string name } ? reason.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : reason.Message;
        return new InvalidDataException($"{device}: {plane.Plane.Name()} plane {PlaneDescription.Describe(plane)}: {text}", reason);
    }
}
