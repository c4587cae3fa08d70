using VgpuView.VfioPlanes.Formats;

namespace VgpuView.Viewer.Rendering;

/// <summary>What eglQueryDmaBufModifiersEXT says of one modifier for one format.</summary>
public enum ModifierListing
{
    /// <summary>The driver cannot list modifiers, or lists none for the format: only an import can tell.</summary>
    Unknown,

    /// <summary>The driver lists other modifiers for the format, not this one.</summary>
    NotListed,

    /// <summary>Listed, but an image with it can be sampled only as GL_TEXTURE_EXTERNAL_OES.</summary>
    ExternalOnly,

    /// <summary>Listed for GL_TEXTURE_2D.</summary>
    Listed,
}

/// <summary>
/// The import decisions that follow from a driver's modifier list, apart from EGL so that they
/// can be checked against any list a real driver gives.
/// </summary>
internal static class ModifierListings
{
    /// <summary>How <paramref name="modifier"/> appears in a driver's list (parallel arrays, as EGL returns them).</summary>
    public static ModifierListing Find(ReadOnlySpan<ulong> modifiers, ReadOnlySpan<int> externalOnly, ulong modifier)
    {
        if (modifiers.Length == 0)
        {
            return ModifierListing.Unknown;
        }

        int i = modifiers.IndexOf(modifier);
        return i < 0 ? ModifierListing.NotListed
            : externalOnly[i] != 0 ? ModifierListing.ExternalOnly
            : ModifierListing.Listed;
    }

    /// <summary>
    /// Why a plane with <paramref name="modifier"/> cannot be imported as <paramref name="carrier"/>
    /// for the renderer's GL_TEXTURE_2D sampling, or null when it can; <paramref name="withModifier"/>
    /// says whether the import names the modifier. As QEMU's ui/egl-helpers.c does, modifier
    /// attributes go only with a modifier other than linear; a tiled plane needs the driver to list
    /// its modifier, since importing it as an implicit layout would sample the wrong bytes. A linear
    /// plane imports without attributes unless the driver lists linear as external-only.
    /// </summary>
    public static string? Refusal(uint carrier, ulong modifier, ModifierListing listing, out bool withModifier)
    {
        withModifier = false;
        if (listing == ModifierListing.ExternalOnly)
        {
            return $"the driver can sample {DrmFourcc.ToText(carrier)} with modifier {DrmModifier.ToText(modifier)} only as GL_TEXTURE_EXTERNAL_OES, and the plane shaders read GL_TEXTURE_2D";
        }

        if (modifier == DrmModifier.Linear)
        {
            return null;
        }

        if (listing == ModifierListing.Unknown)
        {
            return $"the driver lists no modifiers for {DrmFourcc.ToText(carrier)}, so it cannot be asked for a plane with modifier {DrmModifier.ToText(modifier)}";
        }

        if (listing == ModifierListing.NotListed)
        {
            return $"the driver does not list modifier {DrmModifier.ToText(modifier)} for {DrmFourcc.ToText(carrier)}";
        }

        withModifier = true;
        return null;
    }
}
