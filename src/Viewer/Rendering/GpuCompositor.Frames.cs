using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Planes;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// The frame path: a frame of a <see cref="FrameSource"/> to textures from the
/// <see cref="TextureStore"/> (uploading this frame's bytes where a plane is not imported), drawn,
/// and a layout the renderer refuses reported as the device's plane fault.
/// </summary>
public sealed partial class GpuCompositor
{
    /// <summary>
    /// Renders a frame of <paramref name="source"/> (after <see cref="FrameSource.Next"/>): each
    /// dma-buf gets one texture, kept while its cache entry lives, so an unchanged id costs no
    /// import; a region plane is uploaded every frame into a texture kept while its layout stays.
    /// The cursor goes at its position of this frame (position-only updates need no new buffer).
    /// </summary>
    public void Render(FrameSource source, Frame frame) => Render(source, frame, drawCursor: true);

    /// <summary>As <see cref="Render(FrameSource, Frame)"/>; without <paramref name="drawCursor"/> the cursor plane is left out (a window's cursor toggle).</summary>
    public void Render(FrameSource source, Frame frame, bool drawCursor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _textures.Follow(source.Cache);
        _egl.MakeCurrent();
        PlaneTexture? primary = TextureFor(frame.Primary);
        PlaneTexture? cursor = drawCursor && frame.DrawsCursor ? TextureFor(frame.Cursor) : null;
        if (Render(primary, cursor, frame.Cursor.Info.X, frame.Cursor.Info.Y))
        {
            // A failed import fell back to uploads: a fallen-back texture has no pixels until it
            // gets this frame's bytes.
            Refill(frame.Primary, primary);
            Refill(frame.Cursor, cursor);
            Render(primary, cursor, frame.Cursor.Info.X, frame.Cursor.Info.Y);
        }
    }

    private string DeviceName => _textures.Cache?.Device.Name ?? "device";

    private void Refill(PlaneState state, PlaneTexture? texture)
    {
        if (texture is { Path: PlanePath.Upload, HasPixels: false })
        {
            try
            {
                Upload(state, texture);
            }
            catch (ArgumentException e)
            {
                throw PlaneFault.Create(DeviceName, state.Info, e);
            }
        }
    }

    private PlaneTexture? TextureFor(PlaneState state)
    {
        if (!state.IsShown)
        {
            return null;
        }

        try
        {
            return UpToDateTexture(state);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // The device's layout is one the renderer cannot take (a format it does not know, a
            // size beyond a texture, a tiling the upload cannot undo): say whose plane, as CPU capture does.
            throw PlaneFault.Create(DeviceName, state.Info, e);
        }
    }

    /// <summary>The plane's texture from the store, holding this frame's bytes where it is not an import.</summary>
    private PlaneTexture UpToDateTexture(PlaneState state)
    {
        PlaneTexture texture = state.DmaBuf is { } entry ? _textures.For(entry) : _textures.ForRegion(state.Info);
        if (texture.Path == PlanePath.Upload)
        {
            Upload(state, texture);
        }

        return texture;
    }

    private void Upload(PlaneState state, PlaneTexture texture)
    {
        try
        {
            // A CPU read of a dma-buf is bracketed by DMA_BUF_IOCTL_SYNC (PlaneState does it).
            using PlaneMemory memory = state.BeginCpuRead();
            texture.Upload(memory.Bytes);
        }
        catch (VfioException e) when (state.DmaBuf is not null)
        {
            // The stock mbochs exports read-only dma-bufs: without import the GPU path needs the
            // same CPU mapping as CPU capture, so say both what was tried and why each failed.
            PlaneInfo p = state.Info;
            throw new VfioException(e.Errno, e.Operation, e.Path,
                $"{_textures.Cache?.Device.Name}: {state.Plane.ToString().ToLowerInvariant()} plane {p.FormatName} {p.Width}x{p.Height}, dma-buf {p.Id}: " +
                $"GPU capture tried dma-buf import, which is not possible here ({texture.UploadReason}), then the upload fallback, " +
                $"which needs a CPU mapping of the dma-buf, and mmap failed with {Errno.Name(e.Errno)}. " +
                (_egl.ReadsDmaBufThroughCpu
                    ? "A software renderer cannot show a dma-buf the CPU cannot map; a GPU whose EGL offers EGL_EXT_image_dma_buf_import for this format imports it without a CPU mapping."
                    : "A renderer whose EGL offers EGL_EXT_image_dma_buf_import for this format imports the plane without mapping it."));
        }
    }
}
