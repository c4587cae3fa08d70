using VgpuView.VfioPlanes.Formats;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Formats;

/// <summary>The fourcc and modifier codes against the values drm_fourcc.h defines.</summary>
public sealed class DrmFourccTests
{
    [Theory]
    // fourcc_code(a, b, c, d) = a | b << 8 | c << 16 | d << 24: 'X' 0x58, 'R' 0x52, '2' 0x32, '4' 0x34.
    [InlineData(DrmFourcc.XRGB8888, 0x34325258u)]
    [InlineData(DrmFourcc.ARGB8888, 0x34325241u)]
    [InlineData(DrmFourcc.XBGR8888, 0x34324258u)]
    [InlineData(DrmFourcc.YUYV, 0x56595559u)]
    [InlineData(DrmFourcc.RGB565, 0x36314752u)]
    [InlineData(DrmFourcc.XRGB2101010, 0x30335258u)]
    [InlineData(DrmFourcc.C8, 0x20203843u)]
    public void Codes_MatchTheHeader(uint code, uint expected) => Assert.Equal(expected, code);

    [Fact]
    public void Modifiers_MatchTheHeader()
    {
        // fourcc_mod_code(INTEL, n) = (0x01 << 56) | n; DRM_FORMAT_MOD_INVALID = fourcc_mod_code(NONE, 0xffffffffffffff).
        Assert.Equal(0x0100000000000001UL, DrmModifier.I915XTiled);
        Assert.Equal(0x0100000000000002UL, DrmModifier.I915YTiled);
        Assert.Equal(0x0100000000000003UL, DrmModifier.I915YfTiled);
        Assert.Equal(0x00FFFFFFFFFFFFFFUL, DrmModifier.Invalid);
        Assert.Equal(0UL, DrmModifier.Linear);
    }

    [Theory]
    [InlineData(DrmFourcc.XRGB8888, "XR24")]
    [InlineData(DrmFourcc.C8, "C8  ")]
    [InlineData(0x00325258u, "XR2?")]
    [InlineData(0x7F7F7F7Fu, "????")]
    public void ToText_FourCharacters_UnprintableAsQuestionMark(uint code, string expected) =>
        Assert.Equal(expected, DrmFourcc.ToText(code));

    [Theory]
    [InlineData("XR24", DrmFourcc.XRGB8888)]
    [InlineData("C8", DrmFourcc.C8)]
    [InlineData("0x34325258", DrmFourcc.XRGB8888)]
    [InlineData("0X56595559", DrmFourcc.YUYV)]
    public void TryParse_Accepts(string text, uint expected)
    {
        Assert.True(DrmFourcc.TryParse(text, out uint code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("XR24X")]
    [InlineData("X\tR2")]
    [InlineData("0xZZ")]
    [InlineData("0x123456789")]
    public void TryParse_Refuses(string text) => Assert.False(DrmFourcc.TryParse(text, out _));

    [Theory]
    [InlineData(DrmModifier.Linear, "LINEAR")]
    [InlineData(DrmModifier.I915XTiled, "I915_X_TILED")]
    [InlineData(DrmModifier.I915YTiled, "I915_Y_TILED")]
    [InlineData(DrmModifier.I915YfTiled, "I915_Yf_TILED")]
    [InlineData(DrmModifier.Invalid, "INVALID")]
    [InlineData(0x0100000000000004UL, "0x100000000000004")]
    public void ModifierText(ulong modifier, string expected) => Assert.Equal(expected, DrmModifier.ToText(modifier));

    [Fact]
    public void ModifierHex() => Assert.Equal("0x100000000000001", DrmModifier.ToHex(DrmModifier.I915XTiled));
}
