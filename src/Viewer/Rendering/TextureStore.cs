using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.Viewer.Rendering;

/// <summary>
/// The one owner of a <see cref="GpuCompositor"/>'s plane textures.
/// <list type="bullet">
/// <item>Creates: only the store makes a <see cref="PlaneTexture"/>, on the render thread: one
/// per dma-buf cache entry and one per region plane for the frame path, and textures for callers
/// that feed them bytes themselves.</item>
/// <item>Owns: every texture it made, until it deletes it. The frame path finds a cache entry's
/// texture by the entry and a region plane's by the plane; the cache entry itself holds nothing
/// of the renderer's, and a texture knows its store, not the compositor.</item>
/// <item>Thread: one, the render thread, on which the context is current: every member runs
/// there, and every GL object is deleted there, at once, never queued for later.</item>
/// <item>When it deletes: a cache entry's texture (and its EGLImage) when the cache evicts the
/// entry. DmaBufCache raises Evicted on the thread that runs the frames, which is the render
/// thread, before it closes the entry's fd, so no texture outlives its entry; an eviction seen on
/// another thread is a misuse and throws. A region plane's texture when its layout changes or
/// the frames start coming from another source. A caller's texture when the caller disposes it.
/// All that is left at the compositor's Dispose, after the store stops following the cache.</item>
/// </list>
/// </summary>
internal sealed class TextureStore : IDisposable
{
    private readonly EglContext _egl;
    private readonly ImportPolicy _policy;
    private readonly int _renderThread = Environment.CurrentManagedThreadId;
    private readonly HashSet<PlaneTexture> _live = [];
    private readonly Dictionary<DmaBufEntry, PlaneTexture> _byEntry = new(ReferenceEqualityComparer.Instance);
    private readonly PlaneTexture?[] _regions = new PlaneTexture?[3];
    private readonly Action<DmaBufEntry> _onEvicted;
    private DmaBufCache? _cache;

    public TextureStore(EglContext egl, ImportPolicy policy, RenderStats stats)
    {
        _egl = egl;
        _policy = policy;
        Stats = stats;
        _onEvicted = OnEvicted;
    }

    public RenderStats Stats { get; }

    /// <summary>Textures made and not yet deleted.</summary>
    public int Count => _live.Count;

    /// <summary>The cache the frame path takes dma-bufs from; its device names faults.</summary>
    public DmaBufCache? Cache => _cache;

    public void MakeCurrent() => _egl.MakeCurrent();

    /// <summary>
    /// A texture for a dma-buf plane: imported where the policy allows (the driver lists the
    /// plane's carrier format and its modifier), else one the caller uploads the plane's bytes
    /// into. <paramref name="dmabuf"/> is borrowed for the call: an import takes its own reference
    /// on the buffer.
    /// </summary>
    public PlaneTexture CreateForDmaBuf(SafeFdHandle dmabuf, in PlaneInfo plane)
    {
        ThrowIfNotRenderThread("create a texture");
        _egl.MakeCurrent();
        GlPlaneFormat format = GlPlaneFormat.ForPlane(plane, _egl.MaxTextureSize);
        PlaneTexture texture = Add(new PlaneTexture(this, _egl.Gl, plane, format));
        try
        {
            string? reason = _policy.Refusal(plane, format, dmabuf, out bool withModifier);
            if (reason is null)
            {
                if (texture.TryImport(_egl, dmabuf, withModifier, out string? failure))
                {
                    Stats.Imports++;
                    return texture;
                }

                reason = failure;
            }

            texture.SetUploadReason(reason!);
            return texture;
        }
        catch
        {
            Delete(texture);
            throw;
        }
    }

    /// <summary>A texture the caller fills with <see cref="PlaneTexture.Upload"/> before drawing.</summary>
    public PlaneTexture CreateForUpload(in PlaneInfo plane, string reason)
    {
        ThrowIfNotRenderThread("create a texture");
        _egl.MakeCurrent();
        PlaneTexture texture = Add(new PlaneTexture(this, _egl.Gl, plane, GlPlaneFormat.ForPlane(plane, _egl.MaxTextureSize)));
        texture.SetUploadReason(reason);
        return texture;
    }

    /// <summary>The texture of a cache entry, made at its first use and kept until the cache evicts the entry.</summary>
    public PlaneTexture For(DmaBufEntry entry)
    {
        if (!_byEntry.TryGetValue(entry, out PlaneTexture? texture))
        {
            texture = CreateForDmaBuf(entry.Fd, entry.Layout);
            _byEntry.Add(entry, texture);
        }

        return texture;
    }

    /// <summary>The texture of a region plane, kept while the plane's layout stays.</summary>
    public PlaneTexture ForRegion(in PlaneInfo plane)
    {
        ref PlaneTexture? slot = ref _regions[(int)plane.Plane];
        if (slot is null || !slot.Layout.SameLayout(plane))
        {
            if (slot is not null)
            {
                Delete(slot);
            }

            slot = CreateForUpload(plane, "region plane");
        }

        return slot;
    }

    /// <summary>The texture the frame path made for <paramref name="plane"/>'s buffer, or null.</summary>
    public PlaneTexture? Find(PlaneState plane) =>
        plane.DmaBuf is { } entry ? _byEntry.GetValueOrDefault(entry)
        : plane.IsShown ? _regions[(int)plane.Plane]
        : null;

    /// <summary>Follows <paramref name="cache"/>'s evictions; a new cache ends the following of the earlier one and its region textures.</summary>
    public void Follow(DmaBufCache cache)
    {
        if (ReferenceEquals(_cache, cache))
        {
            return;
        }

        Unfollow();
        foreach (PlaneTexture? region in _regions)
        {
            if (region is not null)
            {
                // The planes of another source: a region texture belongs to its device's plane.
                Delete(region);
            }
        }

        _cache = cache;
        cache.Evicted += _onEvicted;
    }

    /// <summary>Deletes <paramref name="texture"/> and forgets it. Render thread only; idempotent.</summary>
    public void Delete(PlaneTexture texture)
    {
        if (!_live.Contains(texture))
        {
            return;
        }

        ThrowIfNotRenderThread("delete a texture");
        _live.Remove(texture);
        _egl.MakeCurrent();
        texture.DeleteGlObjects();
        for (int i = 0; i < _regions.Length; i++)
        {
            if (ReferenceEquals(_regions[i], texture))
            {
                _regions[i] = null;
            }
        }
    }

    /// <summary>Stops following the cache and deletes every texture left. Render thread only.</summary>
    public void Dispose()
    {
        Unfollow();
        foreach (PlaneTexture texture in _live.ToArray())
        {
            Delete(texture);
        }

        _byEntry.Clear();
    }

    // The cache raises Evicted before it closes the entry's fd, on the thread that runs frames.
    private void OnEvicted(DmaBufEntry entry)
    {
        ThrowIfNotRenderThread("delete the texture of an evicted dma-buf");
        if (_byEntry.Remove(entry, out PlaneTexture? texture))
        {
            Delete(texture);
        }
    }

    private void Unfollow()
    {
        if (_cache is not null)
        {
            _cache.Evicted -= _onEvicted;
            _cache = null;
        }
    }

    private PlaneTexture Add(PlaneTexture texture)
    {
        _live.Add(texture);
        return texture;
    }

    private void ThrowIfNotRenderThread(string what)
    {
        if (Environment.CurrentManagedThreadId != _renderThread)
        {
            throw new InvalidOperationException(
                $"cannot {what} on thread {Environment.CurrentManagedThreadId}: plane textures are GL objects of the context current on the render thread ({_renderThread}), " +
                "so the frames (and the dma-buf cache's evictions) must run there");
        }
    }
}
