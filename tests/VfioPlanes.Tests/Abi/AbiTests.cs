using System.Diagnostics;
using VgpuView.Tests.Shared;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Abi;

/// <summary>
/// Compiles tests/abi/abi.c with gcc against real uapi headers and compares every struct size,
/// field offset and constant it prints with the C# mirror in src/VfioPlanes/Interop.
/// </summary>
public class AbiTests
{
    // Unpacked by tests/setup.d/10-build-tools.sh from bookworm-backports' linux-libc-dev.
    private static string Uapi612 => Path.Combine(Requires.RepoRoot, ".cache", "uapi-6.12", "usr", "include");

    [Fact]
    public void Mirror_MatchesUapi612Headers_Exactly()
    {
        Requires.That(File.Exists(Path.Combine(Uapi612, "linux", "iommufd.h")),
            "the 6.12 uapi headers in .cache/uapi-6.12 (run tests/setup.d/10-build-tools.sh)");
        string output = CompileAndRun("6.12", Uapi612, Path.Combine(Uapi612, "x86_64-linux-gnu"));
        var native = AbiComparison.ParseNative(output);

        Assert.Equal(6, native["const LINUX_VERSION_CODE"] >> 16);
        Assert.Equal(12, (native["const LINUX_VERSION_CODE"] >> 8) & 0xFF);
        AssertNoProblems(AbiComparison.Compare(native, AbiComparison.CollectManaged(), exact: true));
    }

    [Fact]
    public void Mirror_MatchesSystemHeaders_WhereTheyDeclareIt()
    {
        Requires.That(File.Exists("/usr/include/linux/vfio.h"), "/usr/include/linux/vfio.h (Debian package linux-libc-dev)");
        var native = AbiComparison.ParseNative(CompileAndRun("system"));

        // The core the legacy group/container path needs is in every header set.
        Assert.Equal(64, native["size vfio_device_gfx_plane_info"]);
        Assert.True(native.ContainsKey("const VFIO_GROUP_GET_DEVICE_FD"));
        AssertNoProblems(AbiComparison.Compare(native, AbiComparison.CollectManaged(), exact: false));
    }

    [Fact]
    public void Compare_WrongOffsetOrIoctl_IsReported()
    {
        var managed = AbiComparison.CollectManaged();
        var native = new Dictionary<string, long>(managed);
        foreach (string key in AbiComparison.NotInHeaders.Keys)
        {
            native.Remove(key);
        }

        Assert.Empty(AbiComparison.Compare(native, managed, exact: true));

        native["offset vfio_device_gfx_plane_info.drm_format_mod"] = 12;
        native["const VFIO_DEVICE_GET_GFX_DMABUF"] = 0x3B74;
        native.Remove("size vfio_region_info");
        native["const VFIO_DEVICE_FEATURE"] = 0x3B75;
        var problems = AbiComparison.Compare(native, managed, exact: true);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("offset vfio_device_gfx_plane_info.drm_format_mod: header 12, C# 16", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("const VFIO_DEVICE_GET_GFX_DMABUF: header 15220, C# 15219", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("size vfio_region_info: the C# mirror has 32", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("const VFIO_DEVICE_FEATURE: the header has", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_OlderHeaders_AllowLongerStructsButNotMovedFields()
    {
        var managed = AbiComparison.CollectManaged();
        var native = new Dictionary<string, long>(managed.Where(kv =>
            !AbiComparison.NotInHeaders.ContainsKey(kv.Key) && !AbiComparison.IsNewerThan61(kv.Key)))
        {
            ["size vfio_device_info"] = 20,
        };

        Assert.Empty(AbiComparison.Compare(native, managed, exact: false));
        Assert.Contains("size vfio_device_info: header 20, C# 24", AbiComparison.Compare(native, managed, exact: true));

        native["size vfio_device_info"] = 28;
        native["offset vfio_device_info.cap_offset"] = 20;
        Assert.Equal(2, AbiComparison.Compare(native, managed, exact: false).Count);
    }

    [Fact]
    public void NotInHeaders_ValuesMatchTheKernelSources()
    {
        // include/drm/drm_plane.h: enum drm_plane_type { OVERLAY, PRIMARY, CURSOR }.
        Assert.Equal(0u, Interop.Vfio.DRM_PLANE_TYPE_OVERLAY);
        Assert.Equal(1u, Interop.Vfio.DRM_PLANE_TYPE_PRIMARY);
        Assert.Equal(2u, Interop.Vfio.DRM_PLANE_TYPE_CURSOR);
        Assert.Equal(0xFFFFFFFFu, Interop.Vfio.VFIO_GFX_NO_HOTSPOT);
    }

    private static void AssertNoProblems(List<string> problems) =>
        Assert.True(problems.Count == 0, "ABI differences:\n" + string.Join("\n", problems));

    private static string CompileAndRun(string label, params string[] includeDirs)
    {
        string gcc = Requires.Program("gcc", "gcc");
        string source = Path.Combine(Requires.RepoRoot, "tests", "abi", "abi.c");
        string dir = Directory.CreateTempSubdirectory("vgpuview-abi-").FullName;
        try
        {
            string exe = Path.Combine(dir, "abi");
            var args = new List<string> { "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", exe, source };
            args.InsertRange(0, includeDirs.SelectMany(d => new[] { "-I", d }));
            Run(gcc, args, $"gcc abi.c ({label} headers)");
            return Run(exe, [], $"abi ({label} headers)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string program, IEnumerable<string> args, string what)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), $"{what} did not finish in 60 s");
        Assert.True(p.ExitCode == 0, $"{what} failed with exit code {p.ExitCode}:\n{stderr.Result}");
        return stdout.Result;
    }
}
