using BenchmarkDotNet.Running;

// BenchmarkDotNet's default toolchain rebuilds the project it finds by the assembly's name
// (VgpuView.Benchmarks.csproj); this project file is Benchmarks.csproj, so the benchmarks run
// in process unless the command line picks a toolchain itself.
string[] toolchainOptions = ["--inProcess", "--runtimes", "-r", "--cli", "--toolchain"];
if (!args.Any(a => toolchainOptions.Contains(a, StringComparer.OrdinalIgnoreCase)))
{
    args = [.. args, "--inProcess"];
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
