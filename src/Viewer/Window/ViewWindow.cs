using System.Diagnostics;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Cli;
using VgpuView.Viewer.Rendering;

namespace VgpuView.Viewer.Window;

/// <summary>What `vgpuview view` was asked for.</summary>
internal sealed class ViewOptions
{
    public required string Device { get; init; }

    public ScaleMode Scale { get; init; } = ScaleMode.Fit;

    /// <summary>Integer zoom of <see cref="ScaleMode.OneToOne"/>.</summary>
    public int Zoom { get; init; } = 1;

    /// <summary>Most frames per second; 0 leaves the pace to vsync alone; null: see <see cref="ViewWindow.FrameCap"/>.</summary>
    public int? Fps { get; init; }

    public bool NoVsync { get; init; }

    /// <summary>Stop after this many frames (tests, benchmarks); null runs until closed.</summary>
    public long? Frames { get; init; }

    public string ScreenshotDirectory { get; init; } = ".";

    /// <summary>The window's first size in screen coordinates; null takes the guest's mode (within the screen).</summary>
    public (int Width, int Height)? Size { get; init; }

    public bool NoImport { get; init; }

    public bool Hud { get; init; }

    public bool NoCursor { get; init; }

    public int CacheSize { get; init; } = 8;

    public WindowContext Context { get; init; } = WindowContext.Auto;
}

/// <summary>
/// The window's loop: each frame query both planes (FrameSource), render them with the GL
/// renderer into its offscreen target at the guest's resolution, scale that into the window
/// (glBlitFramebuffer, nearest at integer zoom, linear otherwise), draw the overlay, swap. An
/// unchanged frame costs two ioctls and a draw and allocates nothing. Everything runs on the
/// thread that created it (GLFW's and GL's rule); Dispose releases the textures, EGLImages,
/// dma-buf fds and mappings, then the window.
/// </summary>
internal sealed class ViewWindow : IDisposable
{
    private const string DisabledMessage = "The guest has not enabled its display";
    private const string WaitingMessage = "Waiting for the display";
    private const int MessageScale = 2;

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly ViewOptions _options;
    private readonly VgpuDevice _device;
    private readonly FrameSource _source;
    private readonly Frame _frame = new();
    private readonly GlfwWindow _window;
    private readonly GpuCompositor _compositor;
    private readonly Overlay _overlay;
    private readonly Screenshot _screenshot;
    private readonly HudText _hud = new();
    private readonly long _period;
    private ScaleMode _scale;
    private int _zoom;
    private bool _showHud;
    private bool _showCursor;
    private bool _hasImage;
    private bool _gone;
    private string? _goneMessage;
    private string? _problem;

    // What makes a problem the same one: a plane fault's message names the buffer, which changes
    // with every page flip, its cause does not; null takes the problem's text.
    private string? _problemCause;
    private string? _reportedProblem;
    private PlaneInfo _titled;
    private bool _titledShown = true;
    private string? _wrapped;
    private string? _wrappedSource;
    private int _wrappedColumns;
    private long _nextDue;
    private long _fpsStart;
    private long _fpsFrames;
    private bool _disposed;

    public ViewWindow(TextWriter output, TextWriter error, VgpuDevice device, ViewOptions options)
    {
        _output = output;
        _error = error;
        _options = options;
        _device = device;
        _scale = options.Scale;
        _zoom = Math.Clamp(options.Zoom, 1, ViewLayout.MaxZoom);
        _showHud = options.Hud;
        _showCursor = !options.NoCursor;
        _screenshot = new Screenshot(options.ScreenshotDirectory, device.Name);
        _source = new FrameSource(device, options.CacheSize);
        try
        {
            // The first answer sizes the window to the guest's mode.
            _source.Next(_frame);
            (int width, int height) = InitialSize(options, _frame.Primary);
            _window = GlfwWindow.Create(width, height, Title(_frame.Primary), options.Context, fitScreen: options.Size is null);
            try
            {
                GlfwWindow.SetSwapInterval(options.NoVsync ? 0 : 1);
                _period = FrameCap(options, GlfwWindow.RefreshRate()) is int cap and > 0 ? Stopwatch.Frequency / cap : 0;
                if (!_window.UsesEgl)
                {
                    _error.WriteLine($"info: view: no EGL window context ({_window.EglRefusal}); using GLX, where planes can only be uploaded");
                }

                EglContext egl = EglContext.Borrow(_window.EglDisplay, _window.EglContext, _window.UsesEgl ? "window" : "GLX window");
                _compositor = new GpuCompositor(error, egl, allowImport: !options.NoImport);
                Interop.Gl.LoadWindow();
                _overlay = new Overlay(BitmapFont.Load());
                _error.WriteLine($"info: view: {_compositor.Description}");
                if (!_compositor.CanImport && _window.UsesEgl)
                {
                    _error.WriteLine(options.NoImport
                        ? "info: view: dma-buf import switched off; planes are uploaded every frame"
                        : $"info: view: no dma-buf import in the window ({egl.NoImportReason}); planes are uploaded every frame");
                }
            }
            catch
            {
                _compositor?.Dispose();
                _window.Dispose();
                throw;
            }
        }
        catch
        {
            _source.Dispose();
            throw;
        }

        _fpsStart = Stopwatch.GetTimestamp();
        _nextDue = _fpsStart;
    }

    /// <summary>
    /// The most frames per second the loop draws, 0 for no cap of its own. --fps N is N. Without
    /// --fps, vsync paces the loop at the display's refresh rate (120 or 144 Hz as well as 60), so
    /// no cap; with --no-vsync nothing would, and the loop would spin a core on frames nobody sees,
    /// so it is capped at the refresh rate (<paramref name="refreshRate"/>, the primary monitor's),
    /// or at 60 where the refresh rate is unknown (0).
    /// </summary>
    internal static int FrameCap(ViewOptions options, int refreshRate) => options.Fps switch
    {
        int fps => fps,
        null when !options.NoVsync => 0,
        null => refreshRate > 0 ? refreshRate : 60,
    };

    /// <summary>Frames drawn so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Frames per second over the last second.</summary>
    public double Fps { get; private set; }

    public FrameSource Source => _source;

    public GpuCompositor Compositor => _compositor;

    /// <summary>Called after each frame is swapped (tests measure here); must not allocate to keep the steady state clean.</summary>
    internal Action<ViewWindow>? AfterFrame { get; set; }

    /// <summary>Runs until the window closes, a quit key, <paramref name="stop"/>, or the frame limit; returns the exit code.</summary>
    public int Run(CancellationToken stop)
    {
        while (!_window.ShouldClose && (_options.Frames is not long limit || Frames < limit))
        {
            if (stop.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            Step();
            Pace(stop);
        }

        return _gone ? ExitCodes.DeviceFailure : ExitCodes.Success;
    }

    /// <summary>One frame: events and keys, both planes, draw, swap.</summary>
    public void Step()
    {
        GlfwWindow.PollEvents();
        while (GlfwWindow.TryTakeKey(out int key))
        {
            OnKey(key);
        }

        string? centre = Query();
        if (centre is null)
        {
            try
            {
                _compositor.Render(_source, _frame, _showCursor);
                _hasImage = true;

                // The last good buffer may be on screen while the device's newest answer is invalid.
                _problem = _frame.Primary.Status == PlaneStatus.Invalid ? _frame.Primary.Message : null;
                _problemCause = null;
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidDataException or GlException or EglException or IOException)
            {
                // A plane the renderer cannot draw: say why, keep the last good frame. The
                // renderer's plane faults name the device already.
                _problem = e.Message.StartsWith(_device.Name + ": ", StringComparison.Ordinal) ? e.Message : $"{_device.Name}: {e.Message}";
                _problemCause = e is InvalidDataException { InnerException: { } cause } ? cause.Message : null;
            }
        }

        ReportProblem();
        UpdateTitle();
        Draw(centre);
        _window.SwapBuffers();
        Frames++;
        CountFps();
        AfterFrame?.Invoke(this);
    }

    /// <summary>Queries the planes; returns the message to show in the middle instead of a new frame, or null to draw.</summary>
    private string? Query()
    {
        if (!_gone)
        {
            if (_source.Next(_frame) == FrameStatus.DeviceGone)
            {
                _gone = true;
                string why = _frame.Primary.Message ?? _frame.Cursor.Message ?? _device.Name + ": the device is gone";
                _error.WriteLine($"vgpuview: {why}");
                _problem = null;
                _problemCause = null;
                _wrappedSource = null;
                _goneMessage = "Device gone: " + why;
            }
        }

        if (_gone)
        {
            return _goneMessage;
        }

        PlaneState primary = _frame.Primary;
        if (primary.Status == PlaneStatus.Invalid)
        {
            _problem = primary.Message;
            _problemCause = null;
        }

        if (primary.Status == PlaneStatus.Disabled)
        {
            return DisabledMessage;
        }

        if (!primary.IsShown)
        {
            return primary.Status == PlaneStatus.Invalid ? primary.Message ?? WaitingMessage : WaitingMessage;
        }

        return null;
    }

    private void ReportProblem()
    {
        string? same = _problemCause ?? _problem;
        if (!ReferenceEquals(same, _reportedProblem) && !string.Equals(same, _reportedProblem, StringComparison.Ordinal))
        {
            if (_problem is not null)
            {
                _error.WriteLine($"vgpuview: {_problem}");
            }

            _reportedProblem = same;
        }
    }

    private void Draw(string? centre)
    {
        GlfwWindow.GetFramebufferSize(out int fbWidth, out int fbHeight);
        if (fbWidth <= 0 || fbHeight <= 0)
        {
            // Minimised: nothing to draw into.
            return;
        }

        Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, 0);
        Interop.Gl.Viewport(0, 0, fbWidth, fbHeight);
        Interop.Gl.ClearColor(0f, 0f, 0f, 1f);
        Interop.Gl.Clear(Interop.Gl.GL_COLOR_BUFFER_BIT);

        if (_hasImage && _compositor.Framebuffer != 0)
        {
            int w = _compositor.Width, h = _compositor.Height;
            ViewRect r = ViewLayout.Place(_scale, _zoom, w, h, fbWidth, fbHeight);

            // The renderer's target holds the guest's top row at GL row 0; the window's bottom
            // row is GL row 0, so the destination runs from its top (fbHeight - Y) down.
            Interop.Gl.BindFramebuffer(Interop.Gl.GL_READ_FRAMEBUFFER, _compositor.Framebuffer);
            Interop.Gl.BindFramebuffer(Interop.Gl.GL_DRAW_FRAMEBUFFER, 0);
            Interop.Gl.BlitFramebuffer(
                0, 0, w, h,
                r.X, fbHeight - r.Y, r.X + r.Width, fbHeight - r.Y - r.Height,
                Interop.Gl.GL_COLOR_BUFFER_BIT,
                r.Nearest ? Interop.Gl.GL_NEAREST : Interop.Gl.GL_LINEAR);
            Interop.Gl.BindFramebuffer(Interop.Gl.GL_FRAMEBUFFER, 0);
        }

        int scale = Math.Max(1, UiScale(fbWidth));
        if (centre is not null)
        {
            if (_hasImage)
            {
                _overlay.FillRect(fbWidth, fbHeight, 0, 0, fbWidth, fbHeight, 0f, 0f, 0f, 0.65f);
            }

            int textScale = MessageScale * scale;
            string text = Wrap(centre, Math.Max(8, fbWidth / (BitmapFont.CellSize * textScale)) - 2);
            (int columns, int rows) = Overlay.Measure(text);
            int tw = columns * BitmapFont.CellSize * textScale, th = ((rows * Overlay.LineHeight) - 2) * textScale;
            _overlay.DrawText(fbWidth, fbHeight, text, (fbWidth - tw) / 2, (fbHeight - th) / 2, textScale, 0.5f);
        }
        else if (_problem is not null)
        {
            string text = Wrap(_problem, Math.Max(8, fbWidth / (BitmapFont.CellSize * scale)) - 1);
            (_, int rows) = Overlay.Measure(text);
            _overlay.DrawText(fbWidth, fbHeight, text, 0, fbHeight - (((rows * Overlay.LineHeight) - 2) * scale), scale, 0.6f);
        }

        if (_showHud)
        {
            ReadOnlySpan<char> hud = _hud.Build(this);
            _overlay.DrawText(fbWidth, fbHeight, hud, 4 * scale, 4 * scale, scale, 0.6f);
        }
    }

    // A HiDPI framebuffer has more pixels than the window has screen coordinates: grow the text with it.
    private int UiScale(int fbWidth)
    {
        GlfwWindow.GetWindowSize(out int windowWidth, out _);
        return windowWidth > 0 ? (int)Math.Round((double)fbWidth / windowWidth) : 1;
    }

    /// <summary>Breaks <paramref name="text"/> into lines of at most <paramref name="columns"/>; recomputed only when either changes.</summary>
    private string Wrap(string text, int columns)
    {
        if (ReferenceEquals(text, _wrappedSource) && columns == _wrappedColumns && _wrapped is not null)
        {
            return _wrapped;
        }

        var lines = new System.Text.StringBuilder();
        int column = 0;
        foreach (string word in text.Split(' '))
        {
            if (column > 0 && column + 1 + word.Length > columns)
            {
                lines.Append('\n');
                column = 0;
            }
            else if (column > 0)
            {
                lines.Append(' ');
                column++;
            }

            for (int i = 0; i < word.Length; i += columns)
            {
                string part = word.Substring(i, Math.Min(columns, word.Length - i));
                if (i > 0)
                {
                    lines.Append('\n');
                    column = 0;
                }

                lines.Append(part);
                column += part.Length;
            }
        }

        _wrappedSource = text;
        _wrappedColumns = columns;
        _wrapped = lines.ToString();
        return _wrapped;
    }

    private void OnKey(int key)
    {
        switch (key)
        {
            case Interop.Glfw.GLFW_KEY_Q or Interop.Glfw.GLFW_KEY_ESCAPE:
                _window.Close();
                break;
            case Interop.Glfw.GLFW_KEY_F:
                _window.ToggleFullscreen();
                break;
            case Interop.Glfw.GLFW_KEY_C:
                _showCursor = !_showCursor;
                break;
            case Interop.Glfw.GLFW_KEY_H:
                _showHud = !_showHud;
                break;
            case Interop.Glfw.GLFW_KEY_M:
                _scale = _scale switch { ScaleMode.Fit => ScaleMode.Fill, ScaleMode.Fill => ScaleMode.OneToOne, _ => ScaleMode.Fit };
                break;
            case Interop.Glfw.CharBase + '+':
                _zoom = _scale == ScaleMode.OneToOne ? Math.Min(_zoom + 1, ViewLayout.MaxZoom) : 1;
                _scale = ScaleMode.OneToOne;
                break;
            case Interop.Glfw.CharBase + '-':
                _zoom = Math.Max(_zoom - 1, 1);
                _scale = ScaleMode.OneToOne;
                break;
            case Interop.Glfw.GLFW_KEY_S or Interop.Glfw.GLFW_KEY_F12:
                SaveScreenshot();
                break;
        }
    }

    /// <summary>
    /// Saves a PNG of the frame on screen through the CPU capture path, or read back from the
    /// renderer when the CPU cannot map a plane, and prints its path (and, on standard error, when
    /// it was read back).
    /// </summary>
    public void SaveScreenshot()
    {
        if (_gone || !_frame.Primary.IsShown)
        {
            _error.WriteLine($"vgpuview: {_device.Name}: no screenshot: the guest's display is not shown");
            return;
        }

        try
        {
            string path = _screenshot.Save(_frame, _showCursor, _hasImage && _problem is null ? _compositor : null, out string? readBack);
            _output.WriteLine(path);
            _output.Flush();
            if (readBack is not null)
            {
                _error.WriteLine($"info: view: screenshot {path} read back from the renderer, not converted on the CPU: {readBack}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _error.WriteLine($"vgpuview: screenshot failed: {e.Message}");
        }
    }

    private void UpdateTitle()
    {
        PlaneState primary = _frame.Primary;
        bool shown = primary.IsShown && !_gone;
        if (shown == _titledShown && (!shown || primary.Info.SameLayout(_titled)))
        {
            return;
        }

        _titled = primary.Info;
        _titledShown = shown;
        _window.SetTitle(_gone ? $"vgpuview \u2014 {_device.Name} \u2014 device gone" : Title(primary));
    }

    private string Title(PlaneState primary) => primary.IsShown
        ? $"vgpuview \u2014 {_device.Name} \u2014 {primary.Info.Width}x{primary.Info.Height} {DrmFourcc.ToText(primary.Info.Fourcc)}"
        : $"vgpuview \u2014 {_device.Name} \u2014 display off";

    private static (int Width, int Height) InitialSize(ViewOptions options, PlaneState primary)
    {
        if (options.Size is { } size)
        {
            return size;
        }

        (int w, int h) = primary.IsShown ? ((int)primary.Info.Width, (int)primary.Info.Height) : (1024, 768);
        return (Math.Max(w, 64), Math.Max(h, 48));
    }

    private void Pace(CancellationToken stop)
    {
        if (_period == 0)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        _nextDue += _period;
        if (_nextDue > now)
        {
            stop.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)(_nextDue - now) / Stopwatch.Frequency));
        }
        else
        {
            // Behind (a slow frame): start counting again from now rather than rush to catch up.
            _nextDue = now;
        }
    }

    private void CountFps()
    {
        _fpsFrames++;
        long now = Stopwatch.GetTimestamp();
        long elapsed = now - _fpsStart;
        if (elapsed >= Stopwatch.Frequency)
        {
            Fps = _fpsFrames * (double)Stopwatch.Frequency / elapsed;
            _fpsFrames = 0;
            _fpsStart = now;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // GL objects first, with the window's context still current; then the fds and mappings
        // they were made from; the window (and GLFW's EGL display) last.
        _overlay.Dispose();
        _compositor.Dispose();
        _source.Dispose();
        _window.Dispose();
    }

    /// <summary>The HUD's lines, written into one reused buffer so showing it allocates nothing per frame.</summary>
    private sealed class HudText
    {
        private readonly char[] _buffer = new char[Overlay.MaxColumns * 12];
        private int _length;

        public ReadOnlySpan<char> Build(ViewWindow view)
        {
            _length = 0;
            PlaneState primary = view._frame.Primary;
            PlaneState cursor = view._frame.Cursor;
            PlaneInfo p = primary.Info;
            if (primary.IsShown)
            {
                Text("format ").Fourcc(p.Fourcc).Text("  modifier ").Text(DrmModifier.ToText(p.Modifier)).Line();
                Text("size ").Number(p.Width).Text("x").Number(p.Height).Text("  stride ").Number(p.Stride).Line();
                Text(p.Kind == PlaneBufferKind.DmaBuf ? "dmabuf id " : "region ").Number(p.Id).Text("  ").Text(PathOf(view, primary)).Line();
            }
            else
            {
                Text("primary plane: ").Text(primary.Status == PlaneStatus.Disabled ? "disabled" : "not shown").Line();
            }

            CacheCounters c = view._source.Cache.Counters;
            Text("cache hits ").Number(c.Hits).Text(" misses ").Number(c.Misses).Text(" evictions ").Number(c.Evictions).Text(" fds ").Number(c.OpenFds).Line();
            Text("fps ").Fixed(view.Fps).Text("  frame ").Number(view.Frames).Text("  scale ").Text(ScaleName(view._scale));
            if (view._scale == ScaleMode.OneToOne)
            {
                Text(" x").Number(view._zoom);
            }

            Line();
            if (!view._showCursor)
            {
                Text("cursor off");
            }
            else if (cursor.IsShown)
            {
                PlaneInfo k = cursor.Info;
                Text("cursor ").Number(k.X).Text(",").Number(k.Y).Text(" hotspot ");
                if (k.HasHotspot)
                {
                    Number(k.HotX).Text(",").Number(k.HotY);
                }
                else
                {
                    Text("none");
                }
            }
            else
            {
                Text("cursor none");
            }

            return _buffer.AsSpan(0, _length);
        }

        private static string PathOf(ViewWindow view, PlaneState plane)
        {
            if (view._compositor.TextureOf(plane) is PlaneTexture texture)
            {
                return texture.Path == PlanePath.Import ? "dma-buf import" : "upload";
            }

            return "upload";
        }

        private static string ScaleName(ScaleMode mode) => mode switch
        {
            ScaleMode.Fill => "fill",
            ScaleMode.OneToOne => "1:1",
            _ => "fit",
        };

        private HudText Text(ReadOnlySpan<char> text)
        {
            int n = Math.Min(text.Length, _buffer.Length - _length);
            text[..n].CopyTo(_buffer.AsSpan(_length));
            _length += n;
            return this;
        }

        private HudText Fourcc(uint fourcc)
        {
            for (int i = 0; i < 4 && _length < _buffer.Length; i++)
            {
                char ch = (char)((fourcc >> (8 * i)) & 0xFF);
                _buffer[_length++] = ch is >= ' ' and <= '~' ? ch : '?';
            }

            return this;
        }

        private HudText Number(long value)
        {
            if (value.TryFormat(_buffer.AsSpan(_length), out int written, default, System.Globalization.CultureInfo.InvariantCulture))
            {
                _length += written;
            }

            return this;
        }

        private HudText Fixed(double value)
        {
            if (value.TryFormat(_buffer.AsSpan(_length), out int written, "F1", System.Globalization.CultureInfo.InvariantCulture))
            {
                _length += written;
            }

            return this;
        }

        private HudText Line()
        {
            if (_length < _buffer.Length)
            {
                _buffer[_length++] = '\n';
            }

            return this;
        }
    }
}
