using BenchmarkDotNet.Running;

namespace VgpuView.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet's default toolchain rebuilds the project it finds by the assembly's name
    /// (VgpuView.Benchmarks.csproj), which this project's file (Benchmarks.csproj) is not; so the
    /// benchmarks run in this process (--inProcess), combined with whatever job the command line asks for.
    /// </summary>
    public static void Main(string[] args)
    {
        if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
        {
            args = [.. args, "--inProcess"];
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
