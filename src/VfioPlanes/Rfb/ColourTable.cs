// Counts the distinct colours of a tile up to a limit: the palettes of ZRLE and Tight.
namespace VgpuView.VfioPlanes.Rfb;

/// <summary>
/// A small open-addressed table from pixel value to palette index, reused for every tile. It
/// stops at its limit, since a tile of more colours is sent without a palette anyway.
/// </summary>
internal sealed class ColourTable
{
    private const int Slots = 512;
    private readonly uint[] _keys = new uint[Slots];
    private readonly short[] _index = new short[Slots];
    private readonly uint[] _palette = new uint[256];

    public int Count { get; private set; }

    public ReadOnlySpan<uint> Palette => _palette.AsSpan(0, Count);

    /// <summary>Fills the table from a rectangle of <paramref name="values"/>; false when it has more than <paramref name="limit"/> colours.</summary>
    public bool Build(ReadOnlySpan<uint> values, int stride, int x, int y, int width, int height, int limit)
    {
        Array.Fill(_index, (short)-1);
        Count = 0;
        uint last = values[(y * stride) + x];
        Add(last);
        for (int row = 0; row < height; row++)
        {
            ReadOnlySpan<uint> line = values.Slice(((y + row) * stride) + x, width);
            foreach (uint p in line)
            {
                if (p == last)
                {
                    continue;
                }

                last = p;
                if (IndexOf(p) < 0)
                {
                    if (Count == limit)
                    {
                        return false;
                    }

                    Add(p);
                }
            }
        }

        return true;
    }

    public int IndexOf(uint value)
    {
        int slot = Hash(value);
        while (_index[slot] >= 0)
        {
            if (_keys[slot] == value)
            {
                return _index[slot];
            }

            slot = (slot + 1) & (Slots - 1);
        }

        return -1;
    }

    private void Add(uint value)
    {
        int slot = Hash(value);
        while (_index[slot] >= 0)
        {
            slot = (slot + 1) & (Slots - 1);
        }

        _keys[slot] = value;
        _index[slot] = (short)Count;
        _palette[Count++] = value;
    }

    private static int Hash(uint value) => (int)((value * 2654435761u) >> 23);
}
