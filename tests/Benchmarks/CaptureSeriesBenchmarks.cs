extern alias viewer;

using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using viewer::VgpuView.Viewer.Cli;
using viewer::VgpuView.Viewer.Commands;
using VgpuView.VfioPlanes.Discovery;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Pixels;

namespace VgpuView.Benchmarks;

/// <summary>
/// `capture --count 32 --interval 0` of the 1920x1080 desktop-like frame played by `sim:replay`,
/// files written to a temporary directory, against PIL saving the same frame 32 times at levels 6
/// (the baseline) and 1 in the same run. One operation is one frame: the Frames/s column is the
/// series' rate, opening the device and the first frame's buffers included (32 frames make that a
/// small share). Needs /usr/bin/python3 with python3-pil.
/// </summary>
[Config(typeof(RateConfig))]
public class CaptureSeriesBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;
    private const int Frames = 32;

    private string _dir = null!;
    private string _json = null!;
    private PilEncoder _pil = null!;
    private CommandContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("vgpuview-series-").FullName;
        byte[] frame = new byte[Width * Height * 4];
        DesktopFrame.Fill(frame, Width, Height);
        File.WriteAllBytes(Path.Combine(_dir, "desktop.raw"), frame);
        _json = Path.Combine(_dir, "desktop.json");
        File.WriteAllText(_json, $$"""
            {"planes":[{"plane":"primary","file":"desktop.raw","format":"XR24","width":{{Width}},"height":{{Height}},"stride":{{Width * 4}}}]}
            """);

        byte[] rgba = new byte[frame.Length];
        PixelConverter.ToRgba(frame, new PlaneLayout(DrmFourcc.XRGB8888, DrmModifier.Linear, Width, Height, Width * 4), rgba, Width * 4, keepAlpha: false);
        _pil = new PilEncoder(rgba, Width, Height);
        _context = new CommandContext { Output = TextWriter.Null, Error = Console.Error, Opener = new DeviceOpener(new SysfsTree(), "/dev") };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pil.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames, Description = "PIL level 6, 32 files")]
    public long Pil6() => _pil.Encode(6, Frames, Path.Combine(_dir, "pil{n}.png"));

    [Benchmark(OperationsPerInvoke = Frames, Description = "PIL level 1, 32 files")]
    public long Pil1() => _pil.Encode(1, Frames, Path.Combine(_dir, "pil{n}.png"));

    [Benchmark(OperationsPerInvoke = Frames, Description = "vgpuview capture --count 32 --interval 0")]
    public int Capture()
    {
        int exit = ViewerCommandLine.Run(
            ["capture", "sim:replay=" + _json, "-o", Path.Combine(_dir, "cap{n}.png"), "--count", Frames.ToString(CultureInfo.InvariantCulture), "--interval", "0"],
            _context);
        return exit == 0 ? exit : throw new InvalidOperationException($"capture failed with exit code {exit}");
    }

    private sealed class RateConfig : ManualConfig
    {
        public RateConfig()
        {
            AddColumn(new ExtraColumn("Frames/s", "frames written per second (one operation is one frame)", (summary, c) =>
            {
                double? ns = summary[c]?.ResultStatistics?.Mean;
                return ns is > 0 ? (1e9 / ns.Value).ToString("0.0", CultureInfo.InvariantCulture) : "?";
            }));
        }
    }
}
