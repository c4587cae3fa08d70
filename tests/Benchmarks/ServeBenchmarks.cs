// serve's costs on a 1080p desktop-like frame: encoders against a memcpy, a one-line change, idle and changed frame-loop ticks.
extern alias viewer;

using BenchmarkDotNet.Attributes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Opening;
using VgpuView.VfioPlanes.Rfb;
using viewer::VgpuView.Viewer.Serve;

namespace VgpuView.Benchmarks;

/// <summary>
/// Baseline: a memcpy of the 8 MB RGBA frame. Each encoder encodes the whole frame (every tile
/// changed) as a session does: 64-row bands, split to the encoder's limits, converted to the
/// client's format (32-bit, depth 24) first. The one-line rows find the damage of one changed
/// line of text by tiles and encode only that. The frame-loop rows run one tick of the loop on
/// `sim:replay` of the same frame: unchanged (what an idle guest costs per interval, whatever
/// the number of clients, which wait on a semaphore and are not touched) and changed (query,
/// compare, compose, damage and publish). Bytes on the wire are printed in the setup, as
/// "// bytes" lines. Goals: one-line change at most 2 KB with Tight or ZRLE; idle
/// under 1 % of a core at the default 30 ms interval, that is an idle tick under 0.3 ms.
/// </summary>
[MemoryDiagnoser]
public class ServeBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;
    private readonly RfbWriter _out = new(16 << 20);
    private readonly RfbPixelFormat _format = RfbPixelFormat.Default;
    private readonly uint[] _values = new uint[Width * 64];
    private readonly bool[] _changed = new bool[TileDamage.TilesAcross(Width) * TileDamage.TilesDown(Height)];
    private byte[] _frame = [];
    private byte[] _edited = [];
    private readonly byte[] _copy = new byte[Width * Height * 4];
    private readonly HextileEncoder _hextile = new();
    private readonly ZrleEncoder _zrle = new();
    private readonly TightEncoder _tight = new();
    private readonly RawRectEncoder _raw = new();
    private static bool s_printed;
    private string _dir = null!;
    private VgpuDevice _idleDevice = null!;
    private FrameLoop _idle = null!;
    private VgpuDevice _busyDevice = null!;
    private FrameLoop _busy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frame = DesktopFrame.Draw(Width, Height);
        _edited = (byte[])_frame.Clone();
        DesktopFrame.TextLine(_edited, Width, Height, 140, 200, 60, seed: 7);
        foreach (IRfbEncoder encoder in s_printed ? [] : new IRfbEncoder[] { _raw, _hextile, _zrle, _tight })
        {
            Console.WriteLine($"// bytes {RfbEncoding.Name(encoder.Encoding)}: frame {EncodeFrame(encoder)}, one text line {EncodeLine(encoder)}");
        }

        s_printed = true;
        _dir = Directory.CreateTempSubdirectory("vgpuview-serve-bench-").FullName;
        File.WriteAllBytes(Path.Combine(_dir, "a.raw"), DesktopFrame.ToXr24(_frame));
        File.WriteAllBytes(Path.Combine(_dir, "b.raw"), DesktopFrame.ToXr24(_edited));
        const string a = """{"plane":"primary","file":"a.raw","format":"XR24","width":1920,"height":1080,"stride":7680}""";
        const string b = """{"plane":"primary","file":"b.raw","format":"XR24","width":1920,"height":1080,"stride":7680}""";
        File.WriteAllText(Path.Combine(_dir, "idle.json"), $$"""{"planes":[{{a}}]}""");
        File.WriteAllText(Path.Combine(_dir, "busy.json"), $$"""{"frames":[[{{a}}],[{{b}}]]}""");
        var log = new ServeLog(TextWriter.Null);
        _idleDevice = DeviceFactory.Open(DeviceSpec.Parse("sim:replay=" + Path.Combine(_dir, "idle.json")), new VgpuView.VfioPlanes.Discovery.SysfsTree());
        _idle = new FrameLoop(_idleDevice, 8, log);
        _idle.Tick();
        _busyDevice = DeviceFactory.Open(DeviceSpec.Parse("sim:replay=" + Path.Combine(_dir, "busy.json")), new VgpuView.VfioPlanes.Discovery.SysfsTree());
        _busy = new FrameLoop(_busyDevice, 8, log);
        _busy.Tick();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _idle.Dispose();
        _idleDevice.Dispose();
        _busy.Dispose();
        _busyDevice.Dispose();
        _zrle.Dispose();
        _tight.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "memcpy of the 1080p RGBA frame")]
    public int Memcpy()
    {
        _frame.AsSpan().CopyTo(_copy);
        return _copy[0];
    }

    [Benchmark(Description = "encode 1080p: raw")]
    public int Raw() => EncodeFrame(_raw);

    [Benchmark(Description = "encode 1080p: hextile")]
    public int Hextile() => EncodeFrame(_hextile);

    [Benchmark(Description = "encode 1080p: zrle")]
    public int Zrle() => EncodeFrame(_zrle);

    [Benchmark(Description = "encode 1080p: tight")]
    public int Tight() => EncodeFrame(_tight);

    [Benchmark(Description = "one text line: damage + tight")]
    public int TightLine() => EncodeLine(_tight);

    [Benchmark(Description = "one text line: damage + zrle")]
    public int ZrleLine() => EncodeLine(_zrle);

    [Benchmark(Description = "frame loop tick, idle guest")]
    public bool IdleTick() => _idle.Tick();

    [Benchmark(Description = "frame loop tick, changed line")]
    public bool ChangedTick() => _busy.Tick();

    private int EncodeFrame(IRfbEncoder encoder)
    {
        _out.Clear();
        for (int y = 0; y < Height; y += 64)
        {
            EncodeArea(encoder, _frame, 0, y, Width, Math.Min(64, Height - y));
        }

        return _out.Length;
    }

    private int EncodeLine(IRfbEncoder encoder)
    {
        _out.Clear();
        TileDamage.Compare(_edited, _frame, Width, Height, Width * 4, _changed);
        int across = TileDamage.TilesAcross(Width);
        for (int t = 0; t < _changed.Length; t++)
        {
            if (_changed[t])
            {
                int x = (t % across) * 64, y = (t / across) * 64;
                EncodeArea(encoder, _edited, x, y, Math.Min(64, Width - x), Math.Min(64, Height - y));
            }
        }

        return _out.Length;
    }

    // As RfbSession.WriteRect: split to the encoder's limits, convert, header, encode.
    private void EncodeArea(IRfbEncoder encoder, byte[] rgba, int x, int y, int width, int height)
    {
        int maxWidth = Math.Min(width, encoder.MaxWidth);
        for (int left = x; left < x + width; left += maxWidth)
        {
            int w = Math.Min(maxWidth, x + width - left);
            int rows = Math.Max(1, Math.Min(height, encoder.MaxPixels / w));
            for (int top = y; top < y + height; top += rows)
            {
                int h = Math.Min(rows, y + height - top);
                Span<uint> values = _values.AsSpan(0, w * h);
                for (int row = 0; row < h; row++)
                {
                    _format.ToValues(rgba.AsSpan((((top + row) * Width) + left) * 4, w * 4), values.Slice(row * w, w));
                }

                _out.RectHeader(left, top, w, h, encoder.Encoding);
                encoder.Encode(_out, values, w, h, _format);
            }
        }
    }
}
