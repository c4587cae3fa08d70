using System.Globalization;
using System.Text;

namespace VgpuView.VfioPlanes.IO;

/// <summary>
/// Makes text from a file, a device or a peer safe to put in a one-line message: control
/// characters, lone surrogates and other invisible code points become \uXXXX escapes, and long
/// text is cut, so a hostile value can neither break the line nor hide what it is.
/// </summary>
public static class PrintableText
{
    /// <summary>The longest text shown before it is cut with an ellipsis.</summary>
    public const int MaxShown = 200;

    /// <summary><paramref name="text"/> with every character that is not plainly printable escaped, at most <paramref name="max"/> characters of it.</summary>
    public static string Of(string? text, int max = MaxShown)
    {
        if (text is null)
        {
            return string.Empty;
        }

        if (IsPlain(text) && text.Length <= max)
        {
            return text;
        }

        var sb = new StringBuilder(Math.Min(text.Length, max) + 16);
        for (int i = 0; i < text.Length && i < max; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
            }
            else if (NeedsEscape(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        if (text.Length > max)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({text.Length} characters)");
        }

        return sb.ToString();
    }

    /// <summary>Whether <paramref name="text"/> has no character <see cref="Of"/> would escape.</summary>
    public static bool IsPlain(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (NeedsEscape(c))
            {
                return false;
            }
        }

        return true;
    }

    // Controls (C0, DEL, C1), line and paragraph separators, and a surrogate without its pair.
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u200e' or '\u200f' or '\u202a' or '\u202b' or '\u202c' or '\u202d' or '\u202e';
}
