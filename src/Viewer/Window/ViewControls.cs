// What each key of the view window does: the switches it flips (scaling, zoom, HUD, cursor) and the actions it asks of the window.
namespace VgpuView.Viewer.Window;

/// <summary>What a key asks of the window itself, beyond the switches <see cref="ViewControls"/> keeps.</summary>
internal enum KeyAction
{
    None,
    Close,
    ToggleFullscreen,
    Screenshot,
}

/// <summary>
/// The view's switches the keys change. Q or Esc close; F toggles fullscreen; C the cursor; H the
/// HUD; M steps the scaling fit, fill, 1:1, fit; + zooms 1:1 in (entering 1:1 at x1 from another
/// scaling), - zooms out down to x1; S or F12 take a screenshot. Keys arrive as GLFW key codes,
/// characters (+, -) as <see cref="Interop.Glfw.CharBase"/> plus the code point.
/// </summary>
internal sealed class ViewControls(ScaleMode scale, int zoom, bool showHud, bool showCursor)
{
    public ScaleMode Scale { get; private set; } = scale;

    /// <summary>The integer zoom of <see cref="ScaleMode.OneToOne"/>, 1 to <see cref="ViewLayout.MaxZoom"/>.</summary>
    public int Zoom { get; private set; } = Math.Clamp(zoom, 1, ViewLayout.MaxZoom);

    public bool ShowHud { get; private set; } = showHud;

    public bool ShowCursor { get; private set; } = showCursor;

    /// <summary>Applies <paramref name="key"/> to the switches; returns what the window has to do for it.</summary>
    public KeyAction Press(int key)
    {
        switch (key)
        {
            case Interop.Glfw.GLFW_KEY_Q or Interop.Glfw.GLFW_KEY_ESCAPE:
                return KeyAction.Close;
            case Interop.Glfw.GLFW_KEY_F:
                return KeyAction.ToggleFullscreen;
            case Interop.Glfw.GLFW_KEY_S or Interop.Glfw.GLFW_KEY_F12:
                return KeyAction.Screenshot;
            case Interop.Glfw.GLFW_KEY_C:
                ShowCursor = !ShowCursor;
                break;
            case Interop.Glfw.GLFW_KEY_H:
                ShowHud = !ShowHud;
                break;
            case Interop.Glfw.GLFW_KEY_M:
                Scale = Scale switch { ScaleMode.Fit => ScaleMode.Fill, ScaleMode.Fill => ScaleMode.OneToOne, _ => ScaleMode.Fit };
                break;
            case Interop.Glfw.CharBase + '+':
                Zoom = Scale == ScaleMode.OneToOne ? Math.Min(Zoom + 1, ViewLayout.MaxZoom) : 1;
                Scale = ScaleMode.OneToOne;
                break;
            case Interop.Glfw.CharBase + '-':
                Zoom = Math.Max(Zoom - 1, 1);
                Scale = ScaleMode.OneToOne;
                break;
        }

        return KeyAction.None;
    }
}
