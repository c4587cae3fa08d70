using VgpuView.VfioPlanes.Formats;
using VgpuView.Viewer.Rendering;
using Xunit;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>
/// The import decision from a driver's eglQueryDmaBufModifiersEXT answer. The lists below are of
/// the kinds real drivers give: Intel's lists linear, X- and Y-tiled for AB24 as sampleable, and
/// marks its compressed (CCS) modifiers and many YUV layouts external-only.
/// </summary>
public class ModifierListingTests
{
    private const ulong YTiledCcs = (0x01UL << 56) | 4; // I915_FORMAT_MOD_Y_TILED_CCS

    private static readonly ulong[] s_intel = [DrmModifier.Linear, DrmModifier.I915XTiled, DrmModifier.I915YTiled, YTiledCcs];
    private static readonly int[] s_intelExternal = [0, 0, 0, 1];

    [Theory]
    [InlineData(DrmModifier.Linear, ModifierListing.Listed)]
    [InlineData(DrmModifier.I915XTiled, ModifierListing.Listed)]
    [InlineData(DrmModifier.I915YTiled, ModifierListing.Listed)]
    [InlineData(YTiledCcs, ModifierListing.ExternalOnly)]
    [InlineData(DrmModifier.I915YfTiled, ModifierListing.NotListed)]
    public void Find_ReadsTheParallelArrays(ulong modifier, ModifierListing expected) =>
        Assert.Equal(expected, ModifierListings.Find(s_intel, s_intelExternal, modifier));

    [Fact]
    public void Find_AnEmptyListIsUnknown() =>
        Assert.Equal(ModifierListing.Unknown, ModifierListings.Find([], [], DrmModifier.Linear));

    [Theory]
    [InlineData(ModifierListing.Listed)]
    [InlineData(ModifierListing.Unknown)]
    [InlineData(ModifierListing.NotListed)]
    public void Linear_ImportsWithoutModifierAttributes_UnlessExternalOnly(ModifierListing listing)
    {
        Assert.Null(ModifierListings.Refusal(DrmFourcc.ABGR8888, DrmModifier.Linear, listing, out bool withModifier));
        Assert.False(withModifier);
    }

    [Fact]
    public void ListedTiled_ImportsNamingItsModifier()
    {
        Assert.Null(ModifierListings.Refusal(DrmFourcc.ABGR8888, DrmModifier.I915XTiled, ModifierListing.Listed, out bool withModifier));
        Assert.True(withModifier);
    }

    [Theory]
    [InlineData(DrmModifier.Linear)]
    [InlineData(DrmModifier.I915YTiled)]
    public void ExternalOnly_IsRefusedForTexture2D(ulong modifier)
    {
        string? why = ModifierListings.Refusal(DrmFourcc.ABGR8888, modifier, ModifierListing.ExternalOnly, out bool withModifier);
        Assert.NotNull(why);
        Assert.Contains("GL_TEXTURE_EXTERNAL_OES", why);
        Assert.Contains("AB24", why);
        Assert.False(withModifier);
    }

    [Theory]
    [InlineData(ModifierListing.NotListed, "does not list modifier")]
    [InlineData(ModifierListing.Unknown, "lists no modifiers for AB24")]
    public void UnlistedTiled_IsRefused(ModifierListing listing, string reason)
    {
        string? why = ModifierListings.Refusal(DrmFourcc.ABGR8888, DrmModifier.I915XTiled, listing, out bool withModifier);
        Assert.NotNull(why);
        Assert.Contains(reason, why);
        Assert.False(withModifier);
    }
}
