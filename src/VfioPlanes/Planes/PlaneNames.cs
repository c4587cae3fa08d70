namespace VgpuView.VfioPlanes.Planes;

/// <summary>
/// The one spelling of each plane's name, "primary" and "cursor": in messages ("cursor plane:
/// ..."), in the JSON of info, watch and raw captures, and in the replay files that read them back.
/// </summary>
public static class PlaneNames
{
    /// <summary>"primary" or "cursor".</summary>
    public static string Name(this PlaneType plane) => plane == PlaneType.Cursor ? "cursor" : "primary";

    /// <summary>The plane a name of <see cref="Name"/> spells; false for any other text.</summary>
    public static bool TryParse(string? name, out PlaneType plane)
    {
        foreach (PlaneType candidate in (ReadOnlySpan<PlaneType>)[PlaneType.Primary, PlaneType.Cursor])
        {
            if (name == candidate.Name())
            {
                plane = candidate;
                return true;
            }
        }

        plane = default;
        return false;
    }
}
