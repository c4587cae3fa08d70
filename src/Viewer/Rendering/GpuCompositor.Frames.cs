using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Commands;

namespace VgpuView.Viewer.Rendering;

public sealed partial class GpuCompositor
{
    private readonly PlaneTexture?[] _regionTextures = new PlaneTexture?[3];
    private DmaBufCache? _cache;

    /// <summary>
    /// Renders a frame of <paramref name="source"/> (after <see cref="FrameSource.Next"/>): each
    /// dma-buf gets one texture, kept as an attachment of its cache entry and retired when the
    /// cache evicts the entry, so an unchanged id costs no import; a region plane is uploaded
    /// every frame into a texture kept while its layout stays. The cursor goes at its position of
    /// this frame (position-only updates need no new buffer).
    /// </summary>
    public void Render(FrameSource source, Frame frame) => Render(source, frame, drawCursor: true);

    /// <summary>As <see cref="Render(FrameSource, Frame)"/>; without <paramref name="drawCursor"/> the cursor plane is left out (a window's cursor toggle).</summary>
    public void Render(FrameSource source, Frame frame, bool drawCursor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        AttachCache(source.Cache);
        _egl.MakeCurrent();
        DisposeRetired();
        PlaneTexture? primary = TextureFor(frame.Primary);
        PlaneTexture? cursor = drawCursor && frame.DrawsCursor ? TextureFor(frame.Cursor) : null;
        if (Draw(primary, cursor, frame.Cursor.Info.X, frame.Cursor.Info.Y))
        {
            // A failed import fell back to uploads: this path feeds its textures itself, and a
            // fallen-back one has no pixels until it gets this frame's bytes.
            Refill(frame.Primary, primary);
            Refill(frame.Cursor, cursor);
            Draw(primary, cursor, frame.Cursor.Info.X, frame.Cursor.Info.Y);
        }
    }

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
                throw PlaneText.Fault(_cache?.Device.Name ?? "device", state.Info, e);
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
            return TextureOrFault(state);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // The device's layout is one the renderer cannot take (a format it does not know, a
            // size beyond a texture, a tiling the upload cannot undo): say whose plane, as CPU capture does.
            throw PlaneText.Fault(_cache?.Device.Name ?? "device", state.Info, e);
        }
    }

    private PlaneTexture TextureOrFault(PlaneState state)
    {

        PlaneTexture texture;
        if (state.DmaBuf is { } entry)
        {
            if (entry.GetAttachment(this) is PlaneTexture attached)
            {
                texture = attached;
            }
            else
            {
                texture = CreateTexture(entry.Fd, entry.Layout, fedByCaller: true);
                entry.SetAttachment(this, texture);
            }
        }
        else
        {
            ref PlaneTexture? slot = ref _regionTextures[(int)state.Plane];
            if (slot is null || !slot.Layout.SameLayout(state.Info))
            {
                slot?.Dispose();
                slot = null;
                _egl.MakeCurrent();
                slot = new PlaneTexture(this, state.Info, FormatFor(state.Info), dmabuf: null, borrowedMapping: null, fedByCaller: true);
                slot.SetUploadReason("region plane");
            }

            texture = slot;
        }

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
                $"{_cache?.Device.Name}: {state.Plane.ToString().ToLowerInvariant()} plane {p.FormatName} {p.Width}x{p.Height}, dma-buf {p.Id}: " +
                $"GPU capture tried dma-buf import, which is not possible here ({texture.UploadReason}), then the upload fallback, " +
                $"which needs a CPU mapping of the dma-buf, and mmap failed with {Errno.Name(e.Errno)}. " +
                (_egl.ReadsDmaBufThroughCpu
                    ? "A software renderer cannot show a dma-buf the CPU cannot map; a GPU whose EGL offers EGL_EXT_image_dma_buf_import for this format imports it without a CPU mapping."
                    : "A renderer whose EGL offers EGL_EXT_image_dma_buf_import for this format imports the plane without mapping it."));
        }
    }

    private void AttachCache(DmaBufCache cache)
    {
        if (ReferenceEquals(_cache, cache))
        {
            return;
        }

        DetachCache();
        _cache = cache;
        cache.Evicted += OnEvicted;
    }

    private void DetachCache()
    {
        if (_cache is not null)
        {
            _cache.Evicted -= OnEvicted;
            _cache = null;
        }
    }

    // The cache raises Evicted before it closes the entry's fd, on whatever thread evicts.
    private void OnEvicted(DmaBufEntry entry)
    {
        if (entry.GetAttachment(this) is PlaneTexture texture)
        {
            Retire(texture);
        }
    }
}
