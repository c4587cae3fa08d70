using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using VgpuView.Benchmarks.Baseline;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.Benchmarks;

/// <summary>
/// A 1920x1080 desktop-like frame (<see cref="DesktopFrame"/>) to PNG, against PIL at zlib levels
/// 6 (the baseline, PIL's default) and 1 in the same run, and against the writer before the image
/// data was compressed in pieces on all cores (<see cref="BaselinePngWriter"/>, at what was then
/// the default, level 1 with Up). The Size column is each encoder's PNG in bytes and its ratio to
/// PIL-6's; Ratio is the time's. The CPU column is the processor time each PNG took, over all
/// threads (PIL's as Python measures its own): on a machine shared with other work the mean time
/// follows the load, while CPU time shows what an encoder costs. Goal: at most 1.25x PIL-6's size
/// in at most a quarter of its time. Needs /usr/bin/python3 with python3-pil.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SizeConfig))]
public class PngBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;

    private static readonly ConcurrentDictionary<string, long> s_sizes = new();

    // Per benchmark: CPU time summed over its calls, and the number of calls.
    private static readonly ConcurrentDictionary<string, (TimeSpan Cpu, long Calls)> s_cpu = new();

    // Built once, so that the Allocated column counts the writers alone.
    private static readonly PngOptions s_level1Up = new() { CompressionLevel = 1, Filter = PngFilter.Up };
    private static readonly PngOptions s_level2Up = new() { CompressionLevel = 2, Filter = PngFilter.Up };
    private static readonly PngOptions s_level6Adaptive = new() { CompressionLevel = 6, Filter = PngFilter.Adaptive };

    private readonly byte[] _rgba = new byte[Width * Height * 4];
    private readonly PngWriter _png = new();
    private readonly BaselinePngWriter _before = new();
    private readonly MemoryStream _out = new(16 << 20);
    private PilEncoder _pil = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] frame = new byte[Width * Height * 4];
        DesktopFrame.Fill(frame, Width, Height);
        PixelConverter.ToRgba(frame, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), _rgba, Width * 4, keepAlpha: false);
        _pil = new PilEncoder(_rgba, Width, Height);
        KeyValuePair<string, (TimeSpan Cpu, long Calls)>[] kept = s_cpu.ToArray();
        s_sizes[nameof(Pil6)] = Pil6();
        s_sizes[nameof(Pil1)] = Pil1();
        s_sizes[nameof(Before)] = Before();
        s_sizes[nameof(Default)] = Default();
        s_sizes[nameof(Level1Up)] = Level1Up();
        s_sizes[nameof(Level2Up)] = Level2Up();
        s_sizes[nameof(Level6Adaptive)] = Level6Adaptive();

        // Each case runs this setup again; its encodes are not the measured ones.
        s_cpu.Clear();
        foreach (KeyValuePair<string, (TimeSpan Cpu, long Calls)> measured in kept)
        {
            s_cpu[measured.Key] = measured.Value;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pil.Dispose();

    [Benchmark(Baseline = true, Description = "PIL level 6")]
    public long Pil6() => Pil(6, nameof(Pil6));

    [Benchmark(Description = "PIL level 1")]
    public long Pil1() => Pil(1, nameof(Pil1));

    [Benchmark(Description = "before: one stream, --level 1 --filter up (its default)")]
    public long Before()
    {
        TimeSpan start = Environment.CpuUsage.TotalTime;
        _out.SetLength(0);
        _before.Write(_out, _rgba, Width, Height, Width * 4, s_level1Up);
        Record(nameof(Before), Environment.CpuUsage.TotalTime - start);
        return _out.Length;
    }

    [Benchmark(Description = "vgpuview default")]
    public long Default() => Encode(PngOptions.Default, nameof(Default));

    [Benchmark(Description = "vgpuview --level 1 --filter up")]
    public long Level1Up() => Encode(s_level1Up, nameof(Level1Up));

    [Benchmark(Description = "vgpuview --level 2 --filter up")]
    public long Level2Up() => Encode(s_level2Up, nameof(Level2Up));

    [Benchmark(Description = "vgpuview --level 6 --filter adaptive")]
    public long Level6Adaptive() => Encode(s_level6Adaptive, nameof(Level6Adaptive));

    private static void Record(string name, TimeSpan cpu) =>
        s_cpu.AddOrUpdate(name, (cpu, 1), (_, total) => (total.Cpu + cpu, total.Calls + 1));

    private long Pil(int level, string name)
    {
        long size = _pil.Encode(level);
        Record(name, _pil.LastCpuPerImage);
        return size;
    }

    private long Encode(PngOptions options, string name)
    {
        TimeSpan start = Environment.CpuUsage.TotalTime;
        _out.SetLength(0);
        _png.Write(_out, _rgba, Width, Height, Width * 4, options);
        Record(name, Environment.CpuUsage.TotalTime - start);
        return _out.Length;
    }

    private sealed class SizeConfig : ManualConfig
    {
        public SizeConfig()
        {
            AddColumn(new ExtraColumn("Size", "PNG bytes, and the ratio to PIL level 6's", (_, c) =>
            {
                string name = c.Descriptor.WorkloadMethod.Name;
                if (!s_sizes.TryGetValue(name, out long size) || !s_sizes.TryGetValue(nameof(Pil6), out long pil6))
                {
                    return "?";
                }

                return string.Create(CultureInfo.InvariantCulture, $"{size} ({(double)size / pil6:0.00}x)");
            }));
            AddColumn(new ExtraColumn("CPU", "processor time per PNG over all threads, and the ratio to PIL level 6's", (_, c) =>
            {
                string name = c.Descriptor.WorkloadMethod.Name;
                if (!s_cpu.TryGetValue(name, out var cpu) || !s_cpu.TryGetValue(nameof(Pil6), out var pil6))
                {
                    return "?";
                }

                double ms = cpu.Cpu.TotalMilliseconds / cpu.Calls;
                double pil6Ms = pil6.Cpu.TotalMilliseconds / pil6.Calls;
                return string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms ({ms / pil6Ms:0.00}x)");
            }));
        }
    }
}
