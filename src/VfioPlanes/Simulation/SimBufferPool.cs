using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.SafeHandles;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>How a device keeps its primary buffers when the guest's mode changes.</summary>
internal enum SimBufferRetention
{
    /// <summary>The old mode's buffers are freed; their ids are never handed out again.</summary>
    FreeOldModes,

    /// <summary>The old mode's buffers are freed and their ids handed out again, lowest first (GVT-g's idr).</summary>
    FreeOldModesReuseIds,

    /// <summary>One buffer per mode for the life of the device, its id coming back with its mode (mbochs).</summary>
    KeepEveryMode,
}

/// <summary>
/// Every buffer object of the simulated vGPU and its dma-buf id: the primaries made per mode and
/// page-flip slot, the cursor shapes, a replay's buffers; and the export of a new fd for one of
/// them, through /dev/udmabuf where it can be opened.
/// </summary>
internal sealed class SimBufferPool : IDisposable
{
    private readonly List<SimBuffer> _primaries = [];
    private readonly SortedSet<uint> _freeIds = [];
    private readonly SafeFdHandle? _udmabuf;
    private readonly bool _cpuMappable;
    private SimBuffer[] _cursors = [];
    private SimBuffer[] _replayBuffers = [];
    private uint _nextId = 1;

    /// <param name="cpuMappable">Whether exported fds can be mapped for reading (see <see cref="SimBuffer.Export"/>).</param>
    /// <param name="udmabufPath">The udmabuf device to make real dma-bufs with, when it exists and can be opened.</param>
    internal SimBufferPool(bool cpuMappable, string udmabufPath = "/dev/udmabuf")
    {
        _cpuMappable = cpuMappable;
        _udmabuf = OpenUdmabuf(udmabufPath);
    }

    /// <summary>Buffers alive now, each holding one memfd.</summary>
    public int Count => _primaries.Count + _cursors.Length + _replayBuffers.Length;

    /// <summary>Whether dma-bufs are made through /dev/udmabuf (real dma-bufs) rather than as memfd duplicates.</summary>
    public bool UsesUdmabuf => _udmabuf is not null;

    /// <summary>Whether the cursor shapes have been made.</summary>
    public bool HasCursors => _cursors.Length != 0;

    /// <summary>The buffer of cursor <paramref name="shape"/>.</summary>
    public SimBuffer Cursor(int shape) => _cursors[shape];

    /// <summary>
    /// The primary buffer for <paramref name="f"/>'s mode and page-flip slot, made on first use in
    /// <paramref name="fourcc"/> and <paramref name="modifier"/>, the old mode's buffers kept or
    /// freed as <paramref name="retention"/> says.
    /// </summary>
    public SimBuffer Primary(in GuestFrame f, uint fourcc, ulong modifier, SimBufferRetention retention)
    {
        foreach (SimBuffer b in _primaries)
        {
            if (b.Width == f.Mode.Width && b.Height == f.Mode.Height && b.Shape == f.Slot)
            {
                return b;
            }
        }

        if (retention != SimBufferRetention.KeepEveryMode)
        {
            for (int i = _primaries.Count - 1; i >= 0; i--)
            {
                SimBuffer old = _primaries[i];
                if (old.Width != f.Mode.Width || old.Height != f.Mode.Height)
                {
                    _primaries.RemoveAt(i);
                    if (retention == SimBufferRetention.FreeOldModesReuseIds)
                    {
                        _freeIds.Add(old.Id);
                    }

                    old.Dispose();
                }
            }
        }

        int stride = PixelEncoder.StrideFor(fourcc, modifier, f.Mode.Width);
        long size = PixelEncoder.SizeFor(modifier, stride, f.Mode.Height);
        uint id = AllocateId();
        SimBuffer created = SimBuffer.Create(id, $"sim-primary-{id}", fourcc, modifier, f.Mode.Width, f.Mode.Height, stride, size, shape: f.Slot);
        _primaries.Add(created);
        return created;
    }

    /// <summary>Makes the two 64x64 ARGB8888 cursor shapes, drawn.</summary>
    public void AddCursors()
    {
        _cursors = [CreateCursor(0), CreateCursor(1)];
    }

    /// <summary>Loads <paramref name="replay"/>'s buffers, as ids 1 to n in the file's order.</summary>
    public void AddReplayBuffers(ReplayFile replay, CancellationToken cancel)
    {
        _replayBuffers = new SimBuffer[replay.Buffers.Count];
        for (int i = 0; i < _replayBuffers.Length; i++)
        {
            _replayBuffers[i] = LoadReplayBuffer((uint)i + 1, replay.Buffers[i], cancel);
        }
    }

    /// <summary>The buffer with dma-buf id <paramref name="id"/>, or null.</summary>
    public SimBuffer? Find(uint id)
    {
        foreach (SimBuffer b in _primaries)
        {
            if (b.Id == id)
            {
                return b;
            }
        }

        foreach (SimBuffer b in _cursors)
        {
            if (b.Id == id)
            {
                return b;
            }
        }

        return id >= 1 && id <= _replayBuffers.Length ? _replayBuffers[id - 1] : null;
    }

    /// <summary>A new fd for <paramref name="buffer"/>, owned by the caller; 0, or an errno.</summary>
    public int Export(SimBuffer buffer, out SafeFdHandle? fd) => buffer.Export(_udmabuf, _cpuMappable, out fd);

    public void Dispose()
    {
        foreach (SimBuffer b in _primaries)
        {
            b.Dispose();
        }

        _primaries.Clear();
        foreach (SimBuffer? b in _cursors)
        {
            b?.Dispose();
        }

        // A replay's array is made before its buffers are loaded: a failed load leaves nulls.
        foreach (SimBuffer? b in _replayBuffers)
        {
            b?.Dispose();
        }

        _udmabuf?.Dispose();
    }

    private uint AllocateId()
    {
        if (_freeIds.Count > 0)
        {
            uint id = _freeIds.Min;
            _freeIds.Remove(id);
            return id;
        }

        return _nextId++;
    }

    private SimBuffer CreateCursor(int shape)
    {
        const int n = GuestScript.CursorSize;
        uint id = AllocateId();
        SimBuffer b = SimBuffer.Create(id, $"sim-cursor-{id}", DrmFourcc.ARGB8888, DrmModifier.Linear, n, n, n * 4, n * n * 4, shape);
        try
        {
            byte[] rgba = new byte[n * n * 4];
            TestPattern.RenderCursor(shape, rgba);
            PixelEncoder.EncodeRect(rgba, n, 0, 0, n, n, b.Pixels, DrmFourcc.ARGB8888, DrmModifier.Linear, n * 4);
        }
        catch
        {
            b.Dispose();
            throw;
        }

        return b;
    }

    // Reads what the plane needs straight into its buffer, no more: a raw file may be far larger
    // than its plane, or a device that never ends (/dev/zero), or a FIFO.
    private static SimBuffer LoadReplayBuffer(uint id, ReplayBuffer source, CancellationToken cancel)
    {
        SimBuffer b = SimBuffer.Create(id, $"sim-replay-{id}", source.Fourcc, source.Modifier, source.Width, source.Height, source.Stride, source.Size);
        try
        {
            int got = BoundedFile.ReadInto(source.Path, b.Pixels[..(int)source.Size], "raw file", cancel);
            if (got < source.Size)
            {
                throw new InputException($"raw file '{PrintableText.Of(source.Label)}' has {got} bytes, expected at least {source.Size} (stride × height)");
            }
        }
        catch
        {
            b.Dispose();
            throw;
        }

        return b;
    }

    private static SafeFdHandle? OpenUdmabuf(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        SafeFdHandle fd = Interop.Libc.Open(path, Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        if (fd.IsInvalid)
        {
            // Present but not ours to open (permissions): memfds serve the same pages.
            fd.Dispose();
            return null;
        }

        return fd;
    }
}
