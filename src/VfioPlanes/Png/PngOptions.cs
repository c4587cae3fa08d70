using System.IO.Compression;

namespace VgpuView.VfioPlanes.Png;

/// <summary>The PNG filter applied to each row before compression (PNG spec, section 9).</summary>
public enum PngFilter
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,

    /// <summary>Per row, the filter whose output has the smallest sum of absolute values (bytes read as signed).</summary>
    Adaptive = 5,
}

/// <summary>How <see cref="PngWriter"/> encodes: row filter, zlib level and text chunks.</summary>
public sealed class PngOptions
{
    public static PngOptions Default { get; } = new();

    /// <summary>Up by default: screens repeat rows, which Up turns into runs of zeros that deflate quickly.</summary>
    public PngFilter Filter { get; init; } = PngFilter.Up;

    /// <summary>
    /// zlib level 0 (stored) to 9 (smallest), for every piece of the image. Level 2 by default:
    /// .NET's zlib-ng answers level 1 with fixed Huffman codes only, so on the benchmarks' desktop
    /// frame level 2 is 0.64x level 1's size and 1.17x PIL level 6's at about fifteen times its
    /// speed, and with a second core it is faster than the one-stream level-1 writer it replaced.
    /// It costs about 1.5x level 1's CPU: on one busy core, --level 1 is the faster choice.
    /// </summary>
    public int CompressionLevel { get; init; } = 2;

    /// <summary>zlib strategy; Default suits filtered screen content.</summary>
    public ZLibCompressionStrategy Strategy { get; init; } = ZLibCompressionStrategy.Default;

    /// <summary>
    /// (keyword, text) pairs written as tEXt chunks before the image data. A keyword is 1 to 79
    /// printable Latin-1 characters without leading, trailing or doubled spaces. Text that is not
    /// Latin-1 goes into an iTXt chunk as UTF-8 instead. Neither may contain NUL.
    /// </summary>
    public IReadOnlyList<(string Keyword, string Text)> Text { get; init; } = [];
}
