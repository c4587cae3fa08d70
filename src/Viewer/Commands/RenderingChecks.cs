using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using VgpuView.Viewer.Rendering;
using VgpuView.VfioPlanes.Diagnosis;
using VgpuView.VfioPlanes.IO;

namespace VgpuView.Viewer.Commands;

/// <summary>
/// The rendering checks of `vgpuview doctor`: the EGL display the GL renderer uses (vendor,
/// version, renderer), whether it imports dma-bufs and why not, and what `view` needs for a
/// window (a display server and GLFW).
/// </summary>
internal static partial class RenderingChecks
{
    public static IEnumerable<DoctorCheck> Run(string devRoot)
    {
        EglContext? egl = null;
        string? error = null;
        try
        {
            egl = EglContext.Create();
        }
        catch (Exception e) when (e is EglException or GlException or DllNotFoundException or EntryPointNotFoundException)
        {
            error = e.Message;
        }

        using (egl)
        {
            const string looked = "EGL's surfaceless display, else the first EGL device (libEGL.so.1)";
            if (egl is null)
            {
                yield return new DoctorCheck("render.egl", CheckStatus.Warning, looked, $"unavailable: {error}",
                    "capture works on the CPU without it; for capture --gpu and view install libegl1 libegl-mesa0 libgl1-mesa-dri (or the GPU vendor's EGL)");
            }
            else
            {
                yield return new DoctorCheck("render.egl", CheckStatus.Ok, looked,
                    $"EGL {egl.EglVersion} from {egl.EglVendor} on the {egl.Platform} display{(egl.Device is null ? string.Empty : $" ({egl.Device})")}; {egl.GlVersion}, renderer {egl.GlRenderer}");
                yield return Import(egl, devRoot);
            }
        }

        yield return Window();
    }

    private static DoctorCheck Import(EglContext egl, string devRoot)
    {
        const string looked = "EGL_EXT_image_dma_buf_import, GL_OES_EGL_image";
        if (egl.CanImportDmaBuf)
        {
            string software = egl.ReadsDmaBufThroughCpu ? $"; {egl.GlRenderer} reads imported buffers through the CPU, so a dma-buf the CPU cannot map is uploaded-only" : string.Empty;
            return new DoctorCheck("render.import", CheckStatus.Ok, looked, $"yes{(egl.HasModifiers ? ", with modifiers" : string.Empty)}: planes are imported without a copy{software}");
        }

        string mesa = MesaVersion().Match(egl.GlVersion) is { Success: true } m ? $"Mesa {m.Groups[1].Value}" : "not Mesa";
        string dri = Path.Combine(devRoot, "dri");
        List<string> nodes = Directory.Exists(dri) ? [.. Directory.EnumerateFileSystemEntries(dri, "renderD*").Order(StringComparer.Ordinal)] : [];
        string renderNodes = nodes.Count == 0
            ? $"no render node in {Path.Combine(devRoot, "dri")}"
            : string.Join(", ", nodes.Select(n => $"{n} {(PathAccess.Allows(n, PathRights.Write, out _) ? "usable" : "not usable by this user (add the user to group render)")}"));
        string fix = egl.ReadsDmaBufThroughCpu
            ? "Mesa 25 (bookworm-backports: libegl-mesa0 libgl1-mesa-dri mesa-libgallium libgbm1) imports dma-bufs on llvmpipe; Mesa 22 needs a render node"
            : "give this user the GPU's render node (group render), or use a driver that offers EGL_EXT_image_dma_buf_import";
        return new DoctorCheck("render.import", CheckStatus.Warning, looked,
            $"no: {egl.NoImportReason} ({mesa}; {renderNodes}); planes are uploaded each frame instead", fix);
    }

    private static DoctorCheck Window()
    {
        string? display = Environment.GetEnvironmentVariable("DISPLAY");
        string? wayland = Environment.GetEnvironmentVariable("WAYLAND_DISPLAY");
        bool glfw = NativeLibrary.TryLoad("libglfw.so.3", out nint handle);
        if (glfw)
        {
            NativeLibrary.Free(handle);
        }

        string server = display is { Length: > 0 } ? $"DISPLAY={display}" : wayland is { Length: > 0 } ? $"WAYLAND_DISPLAY={wayland} (through XWayland)" : "no DISPLAY or WAYLAND_DISPLAY";
        string found = $"{server}; libglfw.so.3 {(glfw ? "loads" : "missing")}";
        const string looked = "$DISPLAY, $WAYLAND_DISPLAY, libglfw.so.3 (for view)";
        if (glfw && (display is { Length: > 0 } || wayland is { Length: > 0 }))
        {
            return new DoctorCheck("render.window", CheckStatus.Ok, looked, found);
        }

        string fix = !glfw ? "apt-get install libglfw3" : "run view inside an X or Wayland session (ssh -X, or Xvfb for scripts); capture needs no window";
        return new DoctorCheck("render.window", CheckStatus.Warning, looked, found + ": view cannot open a window", fix);
    }

    // "OpenGL ES 3.2 Mesa 22.3.6", "4.5 (Core Profile) Mesa 25.0.7-1~bpo12+1".
    [GeneratedRegex("Mesa ([0-9][0-9.]*)")]
    private static partial Regex MesaVersion();
}
