using VgpuView.Viewer.Text;
using Xunit;

namespace VgpuView.Viewer.Tests.Text;

public sealed class BitmapFontTests
{
    [Fact]
    public void Load_ShippedFont_HasEveryPrintableGlyph()
    {
        BitmapFont font = BitmapFont.Load();

        Assert.Equal(95 * 8 * 8, font.Atlas.Length);
        Assert.All(font.Atlas, b => Assert.True(b is 0 or 255));

        // The space is empty; every other glyph lights something.
        for (char c = '!'; c <= '~'; c++)
        {
            bool any = false;
            for (int i = 0; i < 64; i++)
            {
                any |= font.IsLit(c, i % 8, i / 8);
            }

            Assert.True(any, $"glyph '{c}' is blank");
        }

        for (int i = 0; i < 64; i++)
        {
            Assert.False(font.IsLit(' ', i % 8, i / 8));
        }
    }

    [Fact]
    public void Parse_RowBitsLightPixelsFromTheLeft()
    {
        // 'H' as #...# rows with the bar in row 3: 0x44 = .#...#.. and 0x7C = .#####..
        string text = FullFont().Replace("48: 00 00 00 00 00 00 00 00", "48: 44 44 44 7C 44 44 44 00");
        BitmapFont font = BitmapFont.Parse(text, "test");

        Assert.False(font.IsLit('H', 0, 0));
        Assert.True(font.IsLit('H', 1, 0));
        Assert.False(font.IsLit('H', 2, 0));
        Assert.True(font.IsLit('H', 5, 0));
        Assert.True(font.IsLit('H', 3, 3));
        Assert.False(font.IsLit('H', 3, 2));
        Assert.False(font.IsLit('H', 1, 7));
    }

    [Fact]
    public void Parse_OutsideAscii_DrawsAsQuestionMark()
    {
        string text = FullFont().Replace("3F: 00 00 00 00 00 00 00 00", "3F: FF 00 00 00 00 00 00 00");
        BitmapFont font = BitmapFont.Parse(text, "test");

        Assert.True(font.IsLit('\u00e9', 0, 0));
        Assert.True(font.IsLit('\n', 7, 0));
    }

    [Theory]
    [InlineData("41: 00 00", "glyph 0x41 has 2 rows, expected 8")]
    [InlineData("41 00 00 00 00 00 00 00 00", "line 1: expected 'XX: r0")]
    [InlineData("7F: 00 00 00 00 00 00 00 00", "glyph 0x7F is outside 0x20-0x7E")]
    [InlineData("41: 00 00 00 00 00 00 00 ZZ", "glyph 0x41 row 7 'ZZ' is not a hex byte")]
    public void Parse_BadLine_NamesTheLineAndTheProblem(string line, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => BitmapFont.Parse(line + "\n" + FullFont(), "font.txt"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("font.txt", e.Message);
    }

    [Fact]
    public void Parse_MissingGlyph_NamesIt()
    {
        string text = FullFont().Replace("5A: 00 00 00 00 00 00 00 00\n", string.Empty);
        var e = Assert.Throws<InvalidDataException>(() => BitmapFont.Parse(text, "font.txt"));
        Assert.Contains("glyph 0x5A is missing", e.Message);
    }

    [Fact]
    public void Parse_GlyphTwice_IsRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => BitmapFont.Parse(FullFont() + "41: 00 00 00 00 00 00 00 00\n", "font.txt"));
        Assert.Contains("given twice", e.Message);
    }

    private static string FullFont()
    {
        var text = new System.Text.StringBuilder("# blank font\n");
        for (int c = 0x20; c <= 0x7E; c++)
        {
            text.Append($"{c:X2}: 00 00 00 00 00 00 00 00\n");
        }

        return text.ToString();
    }
}
