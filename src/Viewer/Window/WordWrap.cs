// Breaking a message into lines that fit the window's width in characters, kept while neither changes.
namespace VgpuView.Viewer.Window;

/// <summary>
/// Wraps at spaces; a word longer than a line is cut into pieces of a whole line each. The last
/// answer is kept, so a message shown frame after frame is wrapped once (and allocates nothing
/// after that) until the text or the width changes.
/// </summary>
internal sealed class WordWrap
{
    private string? _source;
    private int _columns;
    private string? _wrapped;

    /// <summary><see cref="Break"/> of <paramref name="text"/>, the same string as last time when neither argument changed.</summary>
    public string Wrap(string text, int columns)
    {
        if (ReferenceEquals(text, _source) && columns == _columns && _wrapped is not null)
        {
            return _wrapped;
        }

        _wrapped = Break(text, columns);
        _source = text;
        _columns = columns;
        return _wrapped;
    }

    /// <summary>Breaks <paramref name="text"/> into lines ('\n' between them) of at most <paramref name="columns"/> characters.</summary>
    public static string Break(string text, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var lines = new System.Text.StringBuilder();
        int column = 0;
        foreach (string word in text.Split(' '))
        {
            if (column > 0 && column + 1 + word.Length > columns)
            {
                lines.Append('\n');
                column = 0;
            }
            else if (column > 0)
            {
                lines.Append(' ');
                column++;
            }

            for (int i = 0; i < word.Length; i += columns)
            {
                int length = Math.Min(columns, word.Length - i);
                if (i > 0)
                {
                    lines.Append('\n');
                    column = 0;
                }

                lines.Append(word, i, length);
                column += length;
            }
        }

        return lines.ToString();
    }
}
