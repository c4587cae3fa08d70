// The bitmap font the window's overlay and the server's message frames draw text with, loaded from assets/font-8x8.txt into a glyph atlas.
using System.Globalization;
using System.Reflection;

namespace VgpuView.Viewer.Text;

/// <summary>
/// The 8x8 bitmap font shipped in assets/font-8x8.txt (printable ASCII), as an R8 atlas the
/// overlay shader reads with texelFetch: one column of glyphs, 8 pixels wide, glyph g at rows
/// 8g..8g+7 (top first), 255 where the glyph is lit.
/// </summary>
internal sealed class BitmapFont
{
    public const int CellSize = 8;
    public const char First = ' ';
    public const char Last = '~';
    public const int GlyphCount = Last - First + 1;
    private const string ResourceName = "assets/font-8x8.txt";

    private BitmapFont(byte[] atlas)
    {
        Atlas = atlas;
    }

    /// <summary><see cref="GlyphCount"/> glyphs of 8x8 bytes, 0 or 255, glyph after glyph.</summary>
    public byte[] Atlas { get; }

    public static BitmapFont Load()
    {
        using Stream stream = typeof(BitmapFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"the embedded resource {ResourceName} is missing from {typeof(BitmapFont).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), ResourceName);
    }

    /// <summary>Parses "XX: r0 r1 ... r7" lines (code and rows in hex, '#' starts a comment); every printable ASCII glyph exactly once.</summary>
    internal static BitmapFont Parse(string text, string name)
    {
        byte[] atlas = new byte[GlyphCount * CellSize * CellSize];
        bool[] seen = new bool[GlyphCount];
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split(':', 2);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
            {
                throw new InvalidDataException($"{name} line {lineNumber}: expected 'XX: r0 r1 r2 r3 r4 r5 r6 r7' (hex), not '{line}'");
            }

            if (code < First || code > Last || seen[code - First])
            {
                throw new InvalidDataException($"{name} line {lineNumber}: glyph 0x{code:X2} is outside 0x20-0x7E or given twice");
            }

            string[] rows = parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rows.Length != CellSize)
            {
                throw new InvalidDataException($"{name} line {lineNumber}: glyph 0x{code:X2} has {rows.Length} rows, expected {CellSize}");
            }

            int glyph = code - First;
            for (int y = 0; y < CellSize; y++)
            {
                if (!byte.TryParse(rows[y], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte bits))
                {
                    throw new InvalidDataException($"{name} line {lineNumber}: glyph 0x{code:X2} row {y} '{rows[y]}' is not a hex byte");
                }

                for (int x = 0; x < CellSize; x++)
                {
                    atlas[((glyph * CellSize) + y) * CellSize + x] = (bits & (0x80 >> x)) != 0 ? (byte)255 : (byte)0;
                }
            }

            seen[glyph] = true;
        }

        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
        {
            throw new InvalidDataException($"{name}: glyph 0x{missing + First:X2} is missing (every printable ASCII character is needed)");
        }

        return new BitmapFont(atlas);
    }

    /// <summary>Whether pixel (x, y) of <paramref name="c"/>'s cell is lit; characters outside the font draw as '?'.</summary>
    public bool IsLit(char c, int x, int y) => Atlas[((GlyphIndex(c) * CellSize) + y) * CellSize + x] != 0;

    public static int GlyphIndex(char c) => c is >= First and <= Last ? c - First : '?' - First;
}
