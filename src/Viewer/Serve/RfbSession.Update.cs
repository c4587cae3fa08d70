// A session's send loop: builds one FramebufferUpdate from the newest frame and writes it.
using VgpuView.VfioPlanes.Rfb;

namespace VgpuView.Viewer.Serve;

internal sealed partial class RfbSession
{
    private readonly RfbWriter _out = new(64 * 1024);
    private readonly List<IRfbEncoder> _encoders = [];
    private IRfbEncoder _encoder = new RawRectEncoder();
    private uint[] _values = [];
    private byte[] _rgba = [];
    private long _sentVersion;
    private long _sentSizeVersion;
    private long _sentCursorShape;
    private long _sentCursorMove;
    private bool _announcedExtendedSize;

    // What the client declared, as flags; set from _clientEncodings when they change.
    private bool _wantsCursor;
    private bool _wantsPointerPos;
    private bool _wantsDesktopSize;
    private bool _wantsExtendedSize;
    private bool _wantsLastRect;

    /// <summary>The frame version this client was last sent.</summary>
    public long SentVersion => Interlocked.Read(ref _sentVersion);

    /// <summary>Whether the client waits for an update (asked for one, or takes continuous updates).</summary>
    public bool WantsUpdates
    {
        get
        {
            lock (_state)
            {
                return _updateRequested || _continuous;
            }
        }
    }

    private async Task SendLoopAsync(CancellationToken cancel)
    {
        // One timer for every write: armed before it, reset after it, so updates allocate no token source.
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        while (true)
        {
            await _wake.WaitAsync(cancel).ConfigureAwait(false);
            if (!BuildUpdate())
            {
                continue;
            }

            stall.CancelAfter(_settings.StallTimeout);
            try
            {
                await _stream.WriteAsync(_out.WrittenMemory, stall.Token).ConfigureAwait(false);
                await _stream.FlushAsync(stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"dropped: the client read nothing for {_settings.StallTimeout.TotalSeconds:0} s");
            }

            if (!stall.TryReset())
            {
                throw new TimeoutException($"dropped: the client read nothing for {_settings.StallTimeout.TotalSeconds:0} s");
            }

            Stats.BytesSent += _out.Length;
        }
    }

    // Builds into _out what is due now; false when nothing is.
    private bool BuildUpdate()
    {
        RfbPixelFormat format;
        bool requested, full, endContinuous, refuseResize;
        byte[]? fence;
        lock (_state)
        {
            format = _format;
            requested = _updateRequested || _continuous;
            full = _fullRequested;
            endContinuous = _endContinuousPending;
            fence = _fenceReply;
            refuseResize = _resizeRefusalPending;
            _endContinuousPending = false;
            _fenceReply = null;
            if (_encodingsChanged)
            {
                _encodingsChanged = false;
                ChooseEncodings(_clientEncodings);
            }
        }

        _out.Clear();
        if (fence is not null)
        {
            _out.Bytes(fence);
        }

        if (endContinuous)
        {
            _out.U8(150); // EndOfContinuousUpdates
        }

        int prefix = _out.Length;
        if (requested)
        {
            ScreenFrame frame = _loop.Acquire();
            try
            {
                bool sent = BuildFrameUpdate(frame, format, full, refuseResize);
                if (sent)
                {
                    lock (_state)
                    {
                        _updateRequested = false;
                        _fullRequested &= !full;
                        _resizeRefusalPending &= !refuseResize;
                    }
                }
            }
            finally
            {
                frame.Release();
            }
        }

        if (_out.Length > prefix)
        {
            Stats.Updates++;
            Stats.LastUpdateBytes = _out.Length - prefix;
        }

        return _out.Length > 0;
    }

    private void ChooseEncodings(int[] declared)
    {
        _wantsCursor = declared.Contains(RfbEncoding.Cursor);
        _wantsPointerPos = declared.Contains(RfbEncoding.PointerPos);
        _wantsDesktopSize = declared.Contains(RfbEncoding.DesktopSize);
        _wantsExtendedSize = declared.Contains(RfbEncoding.ExtendedDesktopSize);
        _wantsLastRect = declared.Contains(RfbEncoding.LastRect);
        int quality = -1;
        foreach (int e in declared)
        {
            if (e is >= RfbEncoding.TightQualityLevel0 and <= RfbEncoding.TightQualityLevel0 + 9)
            {
                quality = e - RfbEncoding.TightQualityLevel0;
                break;
            }
        }

        int chosen = RfbEncoding.Raw;
        foreach (int e in declared)
        {
            if (e is RfbEncoding.Raw or RfbEncoding.Hextile or RfbEncoding.Tight or RfbEncoding.Zrle && _settings.Encodings.Contains(e))
            {
                chosen = e;
                break;
            }
        }

        _encoder = EncoderFor(chosen, quality);
        string name = RfbEncoding.Name(chosen);
        if (declared.Length > 0 && (name != Stats.Encoding || !_encodingLogged))
        {
            _encodingLogged = true;
            _log.Line($"client {Id} {Peer}: encoding {name} (the client declared {string.Join(' ', declared.Take(32))})");
        }

        Stats.Encoding = name;
    }

    private bool _encodingLogged;

    // One encoder of each kind per session: zlib streams live as long as the connection.
    private IRfbEncoder EncoderFor(int encoding, int quality)
    {
        foreach (IRfbEncoder known in _encoders)
        {
            if (known.Encoding == encoding)
            {
                return known;
            }
        }

        IRfbEncoder created = RfbEncoders.Create(encoding, quality);
        _encoders.Add(created);
        return created;
    }

    private bool BuildFrameUpdate(ScreenFrame frame, in RfbPixelFormat format, bool full, bool refuseResize)
    {
        bool resized = frame.SizeVersion != _sentSizeVersion;
        bool canResize = _wantsExtendedSize || _wantsDesktopSize;
        long[] versions = _wantsCursor ? frame.TileVersion : frame.ComposedTileVersion;
        bool cursorShape = _wantsCursor && frame.CursorShapeVersion != _sentCursorShape;
        bool cursorMove = _wantsPointerPos && frame.CursorMoveVersion != _sentCursorMove && frame.CursorShown;
        bool announce = _wantsExtendedSize && !_announcedExtendedSize;
        bool anyTile = full || resized;
        int tiles = frame.TilesAcross * frame.TilesDown;
        for (int t = 0; t < tiles && !anyTile; t++)
        {
            anyTile = versions[t] > _sentVersion;
        }

        if (!anyTile && !cursorShape && !cursorMove && !announce && !refuseResize)
        {
            return false;
        }

        _out.U8(0); // FramebufferUpdate
        _out.U8(0);
        int countAt = _out.Length;
        _out.U16(0);
        int rects = 0;
        if ((resized && canResize) || announce || refuseResize)
        {
            if (resized && canResize)
            {
                _clientWidth = frame.Width;
                _clientHeight = frame.Height;
            }

            if (_wantsExtendedSize)
            {
                // rfbproto 7.8.6: x is the reason (0 server, 1 this client asked), y the status (1: prohibited).
                bool refusal = refuseResize && !(resized && canResize);
                _out.RectHeader(refusal ? 1 : 0, refusal ? 1 : 0, _clientWidth, _clientHeight, RfbEncoding.ExtendedDesktopSize);
                _out.U8(1);
                _out.Bytes([0, 0, 0]);
                _out.U32(0);            // screen id
                _out.U16(0);
                _out.U16(0);
                _out.U16((ushort)_clientWidth);
                _out.U16((ushort)_clientHeight);
                _out.U32(0);            // flags
                _announcedExtendedSize = true;
            }
            else
            {
                _out.RectHeader(0, 0, _clientWidth, _clientHeight, RfbEncoding.DesktopSize);
            }

            rects++;
        }

        if (cursorShape)
        {
            WriteCursor(frame, format);
            rects++;
        }

        if (cursorMove || (cursorShape && _wantsPointerPos && frame.CursorShown))
        {
            _out.RectHeader(Math.Clamp(frame.CursorX + frame.HotX, 0, ushort.MaxValue), Math.Clamp(frame.CursorY + frame.HotY, 0, ushort.MaxValue), 0, 0, RfbEncoding.PointerPos);
            rects++;
        }

        if (anyTile)
        {
            rects += WriteTiles(frame, format, versions, full || resized);
        }

        if (rects == 0)
        {
            _out.Clear();
            return false;
        }

        _out.PatchU16(countAt, (ushort)rects);
        Interlocked.Exchange(ref _sentVersion, frame.Version);
        _sentSizeVersion = frame.SizeVersion;
        _sentCursorShape = frame.CursorShapeVersion;
        _sentCursorMove = frame.CursorMoveVersion;
        return true;
    }

    // Runs of changed tiles in each row of tiles, clipped to the client's framebuffer.
    private int WriteTiles(ScreenFrame frame, in RfbPixelFormat format, long[] versions, bool all)
    {
        int width = Math.Min(frame.Width, _clientWidth), height = Math.Min(frame.Height, _clientHeight);
        int rects = 0;
        const int tile = TileDamage.TileSize;
        for (int ty = 0; ty < frame.TilesDown && ty * tile < height; ty++)
        {
            int tx = 0;
            while (tx < frame.TilesAcross)
            {
                if (!all && versions[(ty * frame.TilesAcross) + tx] <= _sentVersion)
                {
                    tx++;
                    continue;
                }

                int run = tx;
                while (run < frame.TilesAcross && (all || versions[(ty * frame.TilesAcross) + run] > _sentVersion))
                {
                    run++;
                }

                int x0 = tx * tile, y0 = ty * tile;
                int x1 = Math.Min(width, run * tile), y1 = Math.Min(height, y0 + tile);
                if (x1 > x0 && y1 > y0)
                {
                    rects += WriteRect(frame, format, x0, y0, x1 - x0, y1 - y0);
                }

                tx = run;
            }
        }

        return rects;
    }

    // One changed area, split to what the encoder takes.
    private int WriteRect(ScreenFrame frame, in RfbPixelFormat format, int x, int y, int width, int height)
    {
        int rects = 0;
        int maxWidth = Math.Min(width, _encoder.MaxWidth);
        for (int left = x; left < x + width; left += maxWidth)
        {
            int w = Math.Min(maxWidth, x + width - left);
            int bandRows = Math.Max(1, Math.Min(height, _encoder.MaxPixels / w));
            for (int top = y; top < y + height; top += bandRows)
            {
                int h = Math.Min(bandRows, y + height - top);
                Span<uint> values = Pixels(frame, format, left, top, w, h);
                _out.RectHeader(left, top, w, h, _encoder.Encoding);
                _encoder.Encode(_out, values, w, h, format);
                rects++;
            }
        }

        return rects;
    }
}
