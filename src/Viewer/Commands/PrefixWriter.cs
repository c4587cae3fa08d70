using System.Text;

namespace VgpuView.Viewer.Commands;

/// <summary>Writes each line to another writer with a prefix ("vgpuview: "), for log lines on standard error.</summary>
internal sealed class PrefixWriter(TextWriter inner, string prefix) : TextWriter
{
    private bool _atLineStart = true;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (_atLineStart && value != '\n')
        {
            inner.Write(prefix);
            _atLineStart = false;
        }

        inner.Write(value);
        if (value == '\n')
        {
            _atLineStart = true;
        }
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void Flush() => inner.Flush();
}
