// The view window's loop: each frame poll events and keys, query both planes, render, paint into the window, swap, keep the pace.
using System.Diagnostics;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;

namespace VgpuView.Viewer.Window;

/// <summary>
/// The window's loop: each frame query both planes (FrameSource), render them with the GL
/// renderer into its offscreen target at the guest's resolution, paint that scaled into the
/// window with the overlay (<see cref="WindowPainter"/>), swap. An unchanged frame costs two
/// ioctls and a draw and allocates nothing. Everything runs on the thread that created it
/// (GLFW's and GL's rule); Dispose releases the textures, EGLImages, dma-buf fds and mappings,
/// then the window.
/// </summary>
internal sealed class ViewWindow : IDisposable
{
    private const string DisabledMessage = "The guest has not enabled its display";
    private const string WaitingMessage = "Waiting for the display";

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly ViewSettings _settings;
    private readonly VgpuDevice _device;
    private readonly FrameSource _source;
    private readonly Frame _frame = new();
    private readonly GlfwWindow _window;
    private readonly GpuCompositor _compositor;
    private readonly WindowPainter _painter;
    private readonly Screenshot _screenshot;
    private readonly ViewControls _controls;
    private readonly HudText _hud = new();
    private readonly FramePacing _pacing;
    private readonly FrameRate _rate;
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
    private bool _disposed;

    public ViewWindow(TextWriter output, TextWriter error, VgpuDevice device, ViewSettings settings)
    {
        _output = output;
        _error = error;
        _settings = settings;
        _device = device;
        _controls = new ViewControls(settings.Scale, settings.Zoom, settings.Hud, !settings.NoCursor);
        _screenshot = new Screenshot(settings.ScreenshotDirectory, device.Name);
        _source = new FrameSource(device, settings.CacheSize);
        int cap;
        try
        {
            // The first answer sizes the window to the guest's mode.
            _source.Next(_frame);
            (int width, int height) = InitialSize(settings, _frame.Primary);
            _window = GlfwWindow.Create(width, height, Title(_frame.Primary), settings.Context, fitScreen: settings.Size is null);
            try
            {
                GlfwWindow.SetSwapInterval(settings.NoVsync ? 0 : 1);
                cap = FramePacing.Cap(settings.Fps, settings.NoVsync, GlfwWindow.RefreshRate());
                if (!_window.UsesEgl)
                {
                    _error.WriteLine($"info: view: no EGL window context ({_window.EglRefusal}); using GLX, where planes can only be uploaded");
                }

                EglContext egl = EglContext.Borrow(_window.EglDisplay, _window.EglContext, _window.UsesEgl ? "window" : "GLX window");
                _compositor = new GpuCompositor(error, egl, allowImport: !settings.NoImport);
                _painter = new WindowPainter(egl.Gl);
                _error.WriteLine($"info: view: {_compositor.Description}");
                if (!_compositor.CanImport && _window.UsesEgl)
                {
                    _error.WriteLine(settings.NoImport
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

        long start = Stopwatch.GetTimestamp();
        _pacing = new FramePacing(cap, Stopwatch.Frequency, start);
        _rate = new FrameRate(Stopwatch.Frequency, start);
    }

    /// <summary>Frames drawn so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Frames per second over the last second.</summary>
    public double Fps => _rate.PerSecond;

    public FrameSource Source => _source;

    public GpuCompositor Compositor => _compositor;

    /// <summary>Called after each frame is swapped (tests measure here); must not allocate to keep the steady state clean.</summary>
    internal Action<ViewWindow>? AfterFrame { get; set; }

    /// <summary>Runs until the window closes, a quit key, <paramref name="stop"/>, or the frame limit; says which ended it.</summary>
    public ViewOutcome Run(CancellationToken stop)
    {
        while (!_window.ShouldClose && (_settings.Frames is not long limit || Frames < limit))
        {
            if (stop.IsCancellationRequested)
            {
                return ViewOutcome.Interrupted;
            }

            Step();
            long wait = _pacing.Delay(Stopwatch.GetTimestamp());
            if (wait > 0)
            {
                stop.WaitHandle.WaitOne(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }
        }

        return _gone ? ViewOutcome.DeviceGone : ViewOutcome.Closed;
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
                _compositor.Render(_source, _frame, _controls.ShowCursor);
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
        Paint(centre);
        _window.SwapBuffers();
        Frames++;
        _rate.Count(Stopwatch.GetTimestamp());
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

    private void Paint(string? centre)
    {
        GlfwWindow.GetFramebufferSize(out int fbWidth, out int fbHeight);
        if (fbWidth <= 0 || fbHeight <= 0)
        {
            // Minimised: nothing to draw into.
            return;
        }

        ReadOnlySpan<char> hud = _controls.ShowHud
            ? _hud.Build(_frame, PathOf(_frame.Primary), _source.Cache.Counters, Fps, Frames, _controls)
            : default;
        uint image = _hasImage ? _compositor.Framebuffer : 0;
        _painter.Paint(fbWidth, fbHeight, UiScale(fbWidth), image, _compositor.Width, _compositor.Height, _controls, centre, _problem, hud);
    }

    // A HiDPI framebuffer has more pixels than the window has screen coordinates: grow the text with it.
    private static int UiScale(int fbWidth)
    {
        GlfwWindow.GetWindowSize(out int windowWidth, out _);
        return windowWidth > 0 ? (int)Math.Round((double)fbWidth / windowWidth) : 1;
    }

    /// <summary>How the renderer drew <paramref name="plane"/>'s buffer, for the HUD.</summary>
    private string PathOf(PlaneState plane) =>
        _compositor.TextureOf(plane) is PlaneTexture { Path: PlanePath.Import } ? "dma-buf import" : "upload";

    private void OnKey(int key)
    {
        switch (_controls.Press(key))
        {
            case KeyAction.Close:
                _window.Close();
                break;
            case KeyAction.ToggleFullscreen:
                _window.ToggleFullscreen();
                break;
            case KeyAction.Screenshot:
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
            string path = _screenshot.Save(_frame, _controls.ShowCursor, _hasImage && _problem is null ? _compositor : null, out string? readBack);
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

    private static (int Width, int Height) InitialSize(ViewSettings settings, PlaneState primary)
    {
        if (settings.Size is { } size)
        {
            return size;
        }

        (int w, int h) = primary.IsShown ? ((int)primary.Info.Width, (int)primary.Info.Height) : (1024, 768);
        return (Math.Max(w, 64), Math.Max(h, 48));
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
        _painter.Dispose();
        _compositor.Dispose();
        _source.Dispose();
        _window.Dispose();
    }
}
