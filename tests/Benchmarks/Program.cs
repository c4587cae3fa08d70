using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace VgpuView.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet's default toolchain rebuilds the project it finds by the assembly's name
    /// (VgpuView.Benchmarks.csproj), which this project's file (Benchmarks.csproj) is not; so the
    /// default job runs in process, and jobs given on the command line (--job short) inherit that.
    /// </summary>
    public static void Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
