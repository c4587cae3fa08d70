using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>How a message is broken into lines that fit the window's width in characters.</summary>
public sealed class WordWrapTests
{
    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("", 10, "")]
    // Words go on while the line, with one space between them, stays within the width.
    [InlineData("the guest has not", 10, "the guest\nhas not")]
    [InlineData("abcd efgh", 9, "abcd efgh")]
    [InlineData("abcd efghi", 9, "abcd\nefghi")]
    // A word longer than a line is cut into whole lines, the rest going on the next.
    [InlineData("abcdefghijkl", 5, "abcde\nfghij\nkl")]
    [InlineData("ab abcdefghijkl mn", 5, "ab\nabcde\nfghij\nkl mn")]
    [InlineData("/dev/vfio/devices/vfio0: gone", 8, "/dev/vfi\no/device\ns/vfio0:\ngone")]
    public void Break_FitsEveryLineInTheWidth(string text, int columns, string expected)
    {
        string wrapped = WordWrap.Break(text, columns);

        Assert.Equal(expected, wrapped);
        Assert.All(wrapped.Split('\n'), line => Assert.InRange(line.Length, 0, columns));
    }

    [Fact]
    public void Break_RefusesAWidthOfNothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WordWrap.Break("a", 0));
    }

    [Fact]
    public void Wrap_KeepsItsAnswerWhileTextAndWidthStayAndRecomputesWhenEitherChanges()
    {
        var wrap = new WordWrap();
        string message = "Waiting for the display";

        string first = wrap.Wrap(message, 12);
        Assert.Equal("Waiting for\nthe display", first);
        Assert.Same(first, wrap.Wrap(message, 12));

        Assert.Equal("Waiting\nfor the\ndisplay", wrap.Wrap(message, 7));
        Assert.Equal("Device gone", wrap.Wrap("Device gone", 12));
    }
}
