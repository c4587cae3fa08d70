// The test client's decoders: Raw, Hextile, ZRLE, Tight (basic), and the pseudo-encodings.
using System.Buffers.Binary;
using System.IO.Compression;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve;

internal sealed partial class RfbTestClient
{
    private readonly ZlibFeed?[] _tight = new ZlibFeed?[4];
    private ZlibFeed? _zrle;

    /// <summary>Messages other than updates seen so far, by type (150 EndOfContinuousUpdates, 248 Fence, ...).</summary>
    public List<(int Type, byte[] Body)> OtherMessages { get; } = [];

    /// <summary>
    /// Reads messages until a FramebufferUpdate, decodes it into <see cref="Pixels"/> and returns its
    /// rectangles; null when none came within <paramref name="timeout"/>.
    /// </summary>
    public async Task<List<TestRect>?> ReadUpdateAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            byte[] type;
            try
            {
                type = await ReadAsync(1, timeout);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            switch (type[0])
            {
                case 0:
                    return await ReadRectanglesAsync();
                case 2: // Bell
                    OtherMessages.Add((2, []));
                    break;
                case 3: // ServerCutText
                    byte[] header = await ReadAsync(7);
                    OtherMessages.Add((3, await ReadAsync((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(3)))));
                    break;
                case 150:
                    OtherMessages.Add((150, []));
                    break;
                case 248:
                    byte[] fence = await ReadAsync(8);
                    OtherMessages.Add((248, [.. fence, .. await ReadAsync(fence[7])]));
                    break;
                default:
                    throw new InvalidDataException($"unknown server message {type[0]}");
            }
        }
    }

    private async Task<List<TestRect>> ReadRectanglesAsync()
    {
        byte[] header = await ReadAsync(3);
        int count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1));
        var rects = new List<TestRect>();
        for (int i = 0; i < count; i++)
        {
            byte[] r = await ReadAsync(12);
            var rect = new TestRect(
                BinaryPrimitives.ReadUInt16BigEndian(r), BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(2)),
                BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(6)),
                BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(8)));
            rects.Add(rect);
            if (rect.Encoding == -224)
            {
                break; // LastRect
            }

            if (rect.Encoding >= 0)
            {
                Assert.True(rect.X + rect.Width <= Width && rect.Y + rect.Height <= Height, $"{rect} lies outside {Width}x{Height}");
            }

            switch (rect.Encoding)
            {
                case 0:
                    await DecodeRawAsync(rect);
                    break;
                case 5:
                    await DecodeHextileAsync(rect);
                    break;
                case 16:
                    await DecodeZrleAsync(rect);
                    break;
                case 7:
                    await DecodeTightAsync(rect);
                    break;
                case -239:
                    {
                        int n = rect.Width * rect.Height;
                        byte[] pixels = await ReadAsync(n * Format.Bytes);
                        byte[] mask = await ReadAsync(((rect.Width + 7) / 8) * rect.Height);
                        Cursor = (rect.X, rect.Y, rect.Width, rect.Height, Enumerable.Range(0, n).Select(p => Format.Read(pixels.AsSpan(p * Format.Bytes))).ToArray(), mask);
                        break;
                    }

                case -232:
                    PointerPos = (rect.X, rect.Y);
                    break;
                case -223:
                    Resize(rect.Width, rect.Height);
                    break;
                case -308:
                    {
                        byte[] screens = await ReadAsync(4);
                        await ReadAsync(16 * screens[0]);
                        if (rect.X == 0)
                        {
                            Resize(rect.Width, rect.Height);
                        }

                        break;
                    }

                default:
                    throw new InvalidDataException($"rectangle with encoding {rect.Encoding} the client did not ask for");
            }
        }

        return rects;
    }

    private void Resize(int width, int height)
    {
        if (width != Width || height != Height)
        {
            Width = width;
            Height = height;
            Pixels = new uint[width * height];
        }
    }

    private void Put(int x, int y, uint value) => Pixels[(y * Width) + x] = value;

    private void Fill(int x, int y, int w, int h, uint value)
    {
        for (int row = y; row < y + h; row++)
        {
            Pixels.AsSpan((row * Width) + x, w).Fill(value);
        }
    }

    private async Task DecodeRawAsync(TestRect r)
    {
        byte[] data = await ReadAsync(r.Width * r.Height * Format.Bytes);
        for (int i = 0; i < r.Width * r.Height; i++)
        {
            Put(r.X + (i % r.Width), r.Y + (i / r.Width), Format.Read(data.AsSpan(i * Format.Bytes)));
        }
    }

    // rfbproto 7.7.4.
    private async Task DecodeHextileAsync(TestRect r)
    {
        uint background = 0, foreground = 0;
        for (int ty = r.Y; ty < r.Y + r.Height; ty += 16)
        {
            for (int tx = r.X; tx < r.X + r.Width; tx += 16)
            {
                int tw = Math.Min(16, r.X + r.Width - tx), th = Math.Min(16, r.Y + r.Height - ty);
                int mask = (await ReadAsync(1))[0];
                if ((mask & 1) != 0)
                {
                    await DecodeRawAsync(new TestRect(tx, ty, tw, th, 0));
                    continue;
                }

                if ((mask & 2) != 0)
                {
                    background = Format.Read(await ReadAsync(Format.Bytes));
                }

                Fill(tx, ty, tw, th, background);
                if ((mask & 4) != 0)
                {
                    foreground = Format.Read(await ReadAsync(Format.Bytes));
                }

                if ((mask & 8) == 0)
                {
                    continue;
                }

                int count = (await ReadAsync(1))[0];
                for (int i = 0; i < count; i++)
                {
                    if ((mask & 16) != 0)
                    {
                        foreground = Format.Read(await ReadAsync(Format.Bytes));
                    }

                    byte[] s = await ReadAsync(2);
                    int sx = s[0] >> 4, sy = s[0] & 15, sw = (s[1] >> 4) + 1, sh = (s[1] & 15) + 1;
                    Assert.True(sx + sw <= tw && sy + sh <= th, "a hextile subrectangle leaves its tile");
                    Fill(tx + sx, ty + sy, sw, sh, foreground);
                }
            }
        }
    }

    // rfbproto 7.7.6.
    private async Task DecodeZrleAsync(TestRect r)
    {
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4));
        _zrle ??= new ZlibFeed();
        _zrle.Add(await ReadAsync(length));
        (bool compact, bool low) = Format.CPixel();
        int cbytes = compact ? 3 : Format.Bytes;
        uint CPixel(byte[] b, int at)
        {
            if (!compact)
            {
                return Format.Read(b.AsSpan(at));
            }

            // Three bytes: the pixel without its unused byte, in the pixel's byte order.
            byte[] full = new byte[4];
            bool unusedFirst = Format.BigEndian == low;
            b.AsSpan(at, 3).CopyTo(full.AsSpan(unusedFirst ? 1 : 0));
            return Format.Read(full);
        }

        for (int ty = r.Y; ty < r.Y + r.Height; ty += 64)
        {
            for (int tx = r.X; tx < r.X + r.Width; tx += 64)
            {
                int tw = Math.Min(64, r.X + r.Width - tx), th = Math.Min(64, r.Y + r.Height - ty);
                int sub = _zrle.Read(1)[0];
                if (sub == 0)
                {
                    byte[] raw = _zrle.Read(tw * th * cbytes);
                    for (int i = 0; i < tw * th; i++)
                    {
                        Put(tx + (i % tw), ty + (i / tw), CPixel(raw, i * cbytes));
                    }
                }
                else if (sub == 1)
                {
                    Fill(tx, ty, tw, th, CPixel(_zrle.Read(cbytes), 0));
                }
                else if (sub <= 16)
                {
                    byte[] pal = _zrle.Read(sub * cbytes);
                    int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                    int rowBytes = ((tw * bits) + 7) / 8;
                    byte[] packed = _zrle.Read(rowBytes * th);
                    for (int y = 0; y < th; y++)
                    {
                        for (int x = 0; x < tw; x++)
                        {
                            int bitPos = x * bits;
                            int index = (packed[(y * rowBytes) + (bitPos / 8)] >> (8 - bits - (bitPos % 8))) & ((1 << bits) - 1);
                            Put(tx + x, ty + y, CPixel(pal, index * cbytes));
                        }
                    }
                }
                else if (sub == 128 || sub >= 130)
                {
                    int n = sub - 128;
                    byte[] pal = n > 0 ? _zrle.Read(n * cbytes) : [];
                    int done = 0;
                    while (done < tw * th)
                    {
                        uint value;
                        int run = 1;
                        if (n == 0)
                        {
                            value = CPixel(_zrle.Read(cbytes), 0);
                            run = RunLength();
                        }
                        else
                        {
                            int index = _zrle.Read(1)[0];
                            value = CPixel(pal, (index & 127) * cbytes);
                            if ((index & 128) != 0)
                            {
                                run = RunLength();
                            }
                        }

                        Assert.True(done + run <= tw * th, "a ZRLE run leaves its tile");
                        for (int i = 0; i < run; i++, done++)
                        {
                            Put(tx + (done % tw), ty + (done / tw), value);
                        }
                    }
                }
                else
                {
                    throw new InvalidDataException($"ZRLE subencoding {sub}");
                }
            }
        }

        int RunLength()
        {
            int length = 1, b;
            do
            {
                b = _zrle!.Read(1)[0];
                length += b;
            }
            while (b == 255);
            return length;
        }
    }

    // rfbproto 7.7.7, basic compression and fill; JPEG is not asked for.
    private async Task DecodeTightAsync(TestRect r)
    {
        int control = (await ReadAsync(1))[0];
        for (int i = 0; i < 4; i++)
        {
            if ((control & (1 << i)) != 0)
            {
                _tight[i]?.Dispose();
                _tight[i] = null;
            }
        }

        int tbytes = Format.TPixelRgb ? 3 : Format.Bytes;
        uint TPixel(byte[] b, int at) => Format.TPixelRgb
            ? ((uint)b[at] << Format.RShift) | ((uint)b[at + 1] << Format.GShift) | ((uint)b[at + 2] << Format.BShift)
            : Format.Read(b.AsSpan(at));
        int kind = control >> 4;
        if (kind == 8)
        {
            Fill(r.X, r.Y, r.Width, r.Height, TPixel(await ReadAsync(tbytes), 0));
            return;
        }

        Assert.True(kind < 8, $"Tight compression {kind:x} (only basic and fill are asked for)");
        int stream = kind & 3;
        int filter = (kind & 4) != 0 ? (await ReadAsync(1))[0] : 0;
        uint[] palette = [];
        int dataLength;
        if (filter == 1)
        {
            int n = (await ReadAsync(1))[0] + 1;
            byte[] pal = await ReadAsync(n * tbytes);
            palette = Enumerable.Range(0, n).Select(i => TPixel(pal, i * tbytes)).ToArray();
            dataLength = n == 2 ? ((r.Width + 7) / 8) * r.Height : r.Width * r.Height;
        }
        else
        {
            Assert.Equal(0, filter);
            dataLength = r.Width * r.Height * tbytes;
        }

        byte[] data;
        if (dataLength < 12)
        {
            data = await ReadAsync(dataLength);
        }
        else
        {
            int length = 0;
            for (int i = 0; i < 3; i++)
            {
                int b = (await ReadAsync(1))[0];
                length |= (i < 2 ? b & 0x7F : b) << (7 * i);
                if (i < 2 && (b & 0x80) == 0)
                {
                    break;
                }
            }

            ZlibFeed feed = _tight[stream] ??= new ZlibFeed();
            feed.Add(await ReadAsync(length));
            data = feed.Read(dataLength);
        }

        for (int y = 0; y < r.Height; y++)
        {
            for (int x = 0; x < r.Width; x++)
            {
                uint value = filter != 1 ? TPixel(data, ((y * r.Width) + x) * tbytes)
                    : palette.Length == 2 ? palette[(data[(y * ((r.Width + 7) / 8)) + (x / 8)] >> (7 - (x % 8))) & 1]
                    : palette[data[(y * r.Width) + x]];
                Put(r.X + x, r.Y + y, value);
            }
        }
    }
}
