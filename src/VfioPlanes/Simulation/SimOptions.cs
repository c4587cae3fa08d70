using System.Globalization;
using VgpuView.VfioPlanes.Formats;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>Which real provider the simulated vGPU imitates (DESIGN.md, "What real providers do").</summary>
internal enum SimPersonality
{
    /// <summary>A well-behaved dma-buf device with a cursor.</summary>
    Default,

    /// <summary>The kernel's mbochs sample: dma-buf, XR24 linear, no cursor, ENOMEM after a mode change.</summary>
    Mbochs,

    /// <summary>The kernel's mdpy sample: a region plane at index 16, fixed mode.</summary>
    Mdpy,

    /// <summary>Intel GVT-g: tiled dma-buf primary, ARGB cursor, struct echoed when disabled, ids reused.</summary>
    Gvt,

    /// <summary>Planes replayed from raw files described by a JSON file.</summary>
    Replay,
}

/// <summary>A display mode, in pixels.</summary>
internal readonly record struct SimMode(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>The parsed text after "sim:" in a device spec.</summary>
internal sealed record SimOptions
{
    internal const int MinWidth = 256;
    internal const int MinHeight = 192;
    internal const int MaxDimension = 8192;

    private const string Expected =
        "expected mbochs, mdpy or gvt, a mode WxH, format=FOURCC, tiling=x|y|linear (gvt), cursor=on|off, unplug=FRAME, cpu-map=off, or replay=FILE.json alone";

    // The primary formats GVT-g decodes from the guest's plane registers (i915/gvt/fb_decoder.c),
    // less C8, whose palette the device does not export.
    private static readonly uint[] s_gvtFormats =
    [
        DrmFourcc.RGB565, DrmFourcc.XRGB8888, DrmFourcc.XBGR8888, DrmFourcc.ARGB8888, DrmFourcc.ABGR8888,
        DrmFourcc.XRGB2101010, DrmFourcc.XBGR2101010, DrmFourcc.YUYV, DrmFourcc.YVYU, DrmFourcc.UYVY, DrmFourcc.VYUY,
    ];

    public SimPersonality Personality { get; init; } = SimPersonality.Default;

    public SimMode Mode { get; init; } = new(1024, 768);

    public uint Fourcc { get; init; } = DrmFourcc.XRGB8888;

    public ulong Modifier { get; init; } = DrmModifier.Linear;

    public bool Cursor { get; init; } = true;

    public string? ReplayPath { get; init; }

    /// <summary>
    /// The guest frame at which the device is removed (as by writing 1 to an mdev's "remove"):
    /// from the primary query of that frame on, every call fails with ENODEV. Null: never.
    /// </summary>
    public long? UnplugAt { get; init; }

    /// <summary>Whether the CPU can mmap the exported dma-bufs; the stock mbochs' cannot (cpu-map=off).</summary>
    public bool CpuMappable { get; init; } = true;

    /// <summary>The text the options came from, for the device name.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Parses "", "mbochs", "gvt,1920x1080,format=XR30", "replay=/path/x.json". Throws <see cref="SimOptionsException"/> naming the option.</summary>
    public static SimOptions Parse(string options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string text = options.Trim();
        var result = new SimOptions { Text = text };
        if (text.Length == 0)
        {
            return result;
        }

        // replay= takes the rest verbatim: a path may contain commas.
        if (text.StartsWith("replay=", StringComparison.Ordinal))
        {
            string path = text["replay=".Length..];
            if (path.Length == 0)
            {
                throw new SimOptionsException("sim option 'replay=' needs a path to a JSON file, as in sim:replay=planes.json");
            }

            return result with { Personality = SimPersonality.Replay, ReplayPath = path, Cursor = true };
        }

        bool personalitySeen = false, modeSeen = false, formatSeen = false, tilingSeen = false, cursorSeen = false, unplugSeen = false, cpuMapSeen = false;
        string? tiling = null;
        foreach (string raw in text.Split(','))
        {
            string token = raw.Trim();
            if (token.Length == 0)
            {
                throw new SimOptionsException($"sim options '{IO.PrintableText.Of(text)}' contain an empty option; {Expected}");
            }

            if (token is "mbochs" or "mdpy" or "gvt")
            {
                Once(ref personalitySeen, "personality (mbochs, mdpy, gvt)");
                result = result with
                {
                    Personality = token switch
                    {
                        "mbochs" => SimPersonality.Mbochs,
                        "mdpy" => SimPersonality.Mdpy,
                        _ => SimPersonality.Gvt,
                    },
                };
            }
            else if (token.StartsWith("format=", StringComparison.Ordinal))
            {
                Once(ref formatSeen, "format=");
                string value = token["format=".Length..];
                if (!DrmFourcc.TryParse(value, out uint fourcc) || !PixelEncoder.CanEncode(fourcc))
                {
                    throw new SimOptionsException(
                        $"sim option 'format={IO.PrintableText.Of(value)}' is not a format the simulated vGPU draws; expected one of {PixelEncoder.EncodableNames}");
                }

                result = result with { Fourcc = fourcc };
            }
            else if (token.StartsWith("tiling=", StringComparison.Ordinal))
            {
                Once(ref tilingSeen, "tiling=");
                tiling = token["tiling=".Length..];
                if (tiling is not ("x" or "y" or "linear"))
                {
                    throw new SimOptionsException($"sim option 'tiling={tiling}' is not known; expected tiling=x, tiling=y or tiling=linear");
                }
            }
            else if (token.StartsWith("cursor=", StringComparison.Ordinal))
            {
                Once(ref cursorSeen, "cursor=");
                string value = token["cursor=".Length..];
                result = result with
                {
                    Cursor = value switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new SimOptionsException($"sim option 'cursor={IO.PrintableText.Of(value)}' is not known; expected cursor=on or cursor=off"),
                    },
                };
            }
            else if (token.StartsWith("cpu-map=", StringComparison.Ordinal))
            {
                Once(ref cpuMapSeen, "cpu-map=");
                string value = token["cpu-map=".Length..];
                result = result with
                {
                    CpuMappable = value switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new SimOptionsException($"sim option 'cpu-map={IO.PrintableText.Of(value)}' is not known; expected cpu-map=on or cpu-map=off"),
                    },
                };
            }
            else if (token.StartsWith("unplug=", StringComparison.Ordinal))
            {
                Once(ref unplugSeen, "unplug=");
                string value = token["unplug=".Length..];
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long frame))
                {
                    throw new SimOptionsException($"sim option 'unplug={IO.PrintableText.Of(value)}' needs a frame number (0 or more), as in unplug=300");
                }

                result = result with { UnplugAt = frame };
            }
            else if (token.StartsWith("replay=", StringComparison.Ordinal))
            {
                throw new SimOptionsException("sim option 'replay=' must be the only option, as in sim:replay=planes.json");
            }
            else if (TryParseMode(token, out SimMode mode, out string? modeError))
            {
                Once(ref modeSeen, "mode WxH");
                result = result with { Mode = mode };
            }
            else
            {
                throw new SimOptionsException(modeError ?? $"sim option '{IO.PrintableText.Of(token)}' is not known; {Expected}");
            }
        }

        return Finish(result, tiling);

        void Once(ref bool seen, string what)
        {
            if (seen)
            {
                throw new SimOptionsException($"sim options '{IO.PrintableText.Of(text)}' give the {what} option twice");
            }

            seen = true;
        }
    }

    private static SimOptions Finish(SimOptions result, string? tiling)
    {
        if (result.Personality is SimPersonality.Mbochs or SimPersonality.Mdpy && result.Fourcc != DrmFourcc.XRGB8888)
        {
            throw new SimOptionsException(
                $"sim option 'format={DrmFourcc.ToText(result.Fourcc)}' is not offered by {Name(result.Personality)}: it scans out XR24 only");
        }

        if (result.Personality == SimPersonality.Gvt && Array.IndexOf(s_gvtFormats, result.Fourcc) < 0)
        {
            throw new SimOptionsException(
                $"sim option 'format={DrmFourcc.ToText(result.Fourcc)}' is not a GVT-g primary format; expected one of {string.Join(", ", s_gvtFormats.Select(DrmFourcc.ToText))}");
        }

        if (tiling is not null && result.Personality != SimPersonality.Gvt)
        {
            throw new SimOptionsException($"sim option 'tiling={tiling}' is for sim:gvt only; {Name(result.Personality)} planes are linear");
        }

        if (result.Personality == SimPersonality.Gvt)
        {
            // GVT-g guests (i915) scan out X-tiled framebuffers by default.
            result = result with
            {
                Modifier = tiling switch
                {
                    "y" => DrmModifier.I915YTiled,
                    "linear" => DrmModifier.Linear,
                    _ => DrmModifier.I915XTiled,
                },
            };
        }

        if (PixelEncoder.IsPacked422(result.Fourcc) && result.Mode.Width % 2 != 0)
        {
            throw new SimOptionsException(
                $"sim mode {result.Mode} has an odd width; format {DrmFourcc.ToText(result.Fourcc)} packs two pixels together, so the width must be even");
        }

        return result;
    }

    private static string Name(SimPersonality p) => p switch
    {
        SimPersonality.Mbochs => "sim:mbochs",
        SimPersonality.Mdpy => "sim:mdpy",
        SimPersonality.Gvt => "sim:gvt",
        _ => "sim",
    };

    private static bool TryParseMode(string token, out SimMode mode, out string? error)
    {
        mode = default;
        error = null;
        int x = token.IndexOf('x');
        if (x <= 0 || x == token.Length - 1)
        {
            return false;
        }

        if (!int.TryParse(token.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out int w) ||
            !int.TryParse(token.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int h))
        {
            return false;
        }

        if (w < MinWidth || h < MinHeight || w > MaxDimension || h > MaxDimension)
        {
            error = $"sim mode '{IO.PrintableText.Of(token)}' is out of range; expected a width from {MinWidth} to {MaxDimension} and a height from {MinHeight} to {MaxDimension}";
            return false;
        }

        mode = new SimMode(w, h);
        return true;
    }
}
