using VgpuView.Tests.Shared;
using VgpuView.Viewer.Rendering;
using VgpuView.Viewer.SafeHandles;
using Xunit;
using static VgpuView.Viewer.Tests.Rendering.GlTestSupport;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>How the headless display is chosen: the surfaceless one first, then each EGL device.</summary>
[Collection("gl")]
public sealed class EglContextTests
{
    [Fact]
    public void Create_SurfacelessInitialisesButGivesNoContext_TriesTheEglDevices()
    {
        RequireEgl();
        var tried = new List<string>();

        // The surfaceless display initialises, and its context fails as a driver without GLES 3
        // there would fail it; Mesa's software device behind it makes one.
        using EglContext egl = EglContext.Create((display, platform, device) =>
        {
            tried.Add(platform);
            if (platform == "surfaceless")
            {
                display.Dispose();
                throw new EglException("eglCreateContext(GLES 3.0, EGL_NO_CONFIG_KHR)", 0x3009);
            }

            return EglContext.WithContext(display, platform, device);
        });

        Requires.That(tried.Contains("device"), "an EGL device besides the surfaceless display (Mesa's software device, EGL_EXT_platform_device)");
        Assert.Equal("surfaceless", tried[0]);
        Assert.Equal("device", egl.Platform);
        Assert.NotEqual(string.Empty, egl.GlRenderer);
    }

    [Fact]
    public async Task Capture_GpuWithoutAnEglVendor_SaysNoEglDriverWasFound()
    {
        Requires.That(File.Exists("/usr/lib/x86_64-linux-gnu/libEGL.so.1"), "glvnd's libEGL.so.1 (Debian package libegl1)");

        // glvnd reads its vendor list when it loads, so the test runs vgpuview in a child whose
        // list names a file that does not exist: libEGL loads and finds no vendor.
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string dir = Directory.CreateTempSubdirectory("vgpuview-novendor-").FullName;
        try
        {
            foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "vgpuview.dll"), "capture", "sim", "--gpu", "-o", Path.Combine(dir, "x.png")])
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["__EGL_VENDOR_LIBRARY_FILENAMES"] = Path.Combine(dir, "no-such-vendor.json");
            using System.Diagnostics.Process p = System.Diagnostics.Process.Start(start)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            string stderr = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);

            Assert.Equal(1, p.ExitCode);
            Assert.StartsWith("vgpuview: no EGL vendor library (driver) was found: libEGL loaded none", stderr);
            Assert.Contains("libegl-mesa0", stderr);
            Assert.DoesNotContain("EGL_SUCCESS", stderr);
            Assert.Equal(string.Empty, await stdout);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Create_NoDisplayGivesAContext_NamesEachAttemptAndWhyItFailed()
    {
        RequireEgl();
        int attempts = 0;
        EglException e = Assert.Throws<EglException>(() => EglContext.Create((display, platform, device) =>
        {
            attempts++;
            display.Dispose();
            throw new EglException($"eglCreateContext on {platform} {attempts}", 0x3009);
        }));

        Assert.True(attempts >= 1);
        Assert.StartsWith("a headless GLES 3 context failed: EGL_BAD_MATCH (0x3009): no headless display", e.Message);
        Assert.Contains("gave a GLES 3 context [surfaceless: eglCreateContext on surfaceless 1 failed: EGL_BAD_MATCH (0x3009)", e.Message);
        for (int i = 2; i <= attempts; i++)
        {
            Assert.Contains($"eglCreateContext on device {i} failed", e.Message);
        }
    }
}
