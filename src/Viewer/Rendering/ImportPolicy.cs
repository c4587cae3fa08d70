using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// Whether a dma-buf plane is imported as an EGLImage or uploaded, and why not: import switched
/// off, a display without the extensions, a carrier format or modifier the driver does not list,
/// or a software renderer that would have to read a buffer the CPU cannot map.
/// </summary>
internal sealed class ImportPolicy(EglContext egl, bool allowImport)
{
    /// <summary>Whether planes can be imported at all (EGL_EXT_image_dma_buf_import and not switched off).</summary>
    public bool CanImport => allowImport && egl.CanImportDmaBuf;

    /// <summary>
    /// Why <paramref name="plane"/> in <paramref name="dmabuf"/> cannot be imported as
    /// <paramref name="format"/>'s carrier, or null when it can; <paramref name="withModifier"/>
    /// says whether the import names the plane's modifier.
    /// </summary>
    public string? Refusal(in PlaneInfo plane, in GlPlaneFormat format, SafeFdHandle dmabuf, out bool withModifier) =>
        DriverRefusal(plane, format, out withModifier) ?? CpuMapRefusal(dmabuf, plane);

    private string? DriverRefusal(in PlaneInfo plane, in GlPlaneFormat format, out bool withModifier)
    {
        withModifier = false;
        if (!allowImport)
        {
            return "import switched off";
        }

        if (!egl.CanImportDmaBuf)
        {
            return egl.NoImportReason;
        }

        if (!egl.IsImportable(format.CarrierFourcc))
        {
            return $"the driver does not list {DrmFourcc.ToText(format.CarrierFourcc)} for import";
        }

        ModifierListing listing = egl.ListingOf(format.CarrierFourcc, plane.Modifier);
        return ModifierListings.Refusal(format.CarrierFourcc, plane.Modifier, listing, out withModifier);
    }

    /// <summary>
    /// Why a renderer that reads dma-bufs through the CPU (<see cref="EglContext.ReadsDmaBufThroughCpu"/>)
    /// cannot import <paramref name="dmabuf"/>, or null. Such a renderer accepts the import of a
    /// buffer it cannot map and crashes at the first read of it, so a one-page read-only mapping is
    /// tried first; a GPU imports without a CPU mapping and is not asked.
    /// </summary>
    private string? CpuMapRefusal(SafeFdHandle dmabuf, in PlaneInfo plane)
    {
        if (!egl.ReadsDmaBufThroughCpu)
        {
            return null;
        }

        try
        {
            SafeMappedRegion.Map(dmabuf, 0, Environment.SystemPageSize, writable: false, $"dma-buf {plane.Id}").Dispose();
            return null;
        }
        catch (Exception e) when (e is VfioException or UnauthorizedAccessException or FileNotFoundException)
        {
            int errno = (e as VfioException ?? e.InnerException as VfioException)?.Errno ?? 0;
            return $"the renderer {egl.GlRenderer} reads dma-bufs through the CPU, and mmap of this one failed with {Errno.Name(errno)}";
        }
    }
}
