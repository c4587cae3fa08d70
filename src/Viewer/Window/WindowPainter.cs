// Paints one frame into the window: the composed guest image scaled into place, then a message or problem and the HUD over it.
using Silk.NET.OpenGL;
using VgpuView.Viewer.Text;

namespace VgpuView.Viewer.Window;

/// <summary>
/// Draws into the window's default framebuffer with the window's GL context current. The guest's
/// image is the compositor's offscreen target at the guest's resolution, scaled by
/// glBlitFramebuffer (nearest at integer zoom, linear otherwise, see <see cref="ViewLayout"/>);
/// text goes through the <see cref="Overlay"/>. A GL object owner: dispose on the render thread.
/// </summary>
internal sealed class WindowPainter : IDisposable
{
    private const int MessageScale = 2;

    private readonly GL _gl;
    private readonly Overlay _overlay;
    private readonly WordWrap _wrap = new();

    public WindowPainter(GL gl)
    {
        _gl = gl;
        _overlay = new Overlay(gl, BitmapFont.Load());
    }

    /// <summary>
    /// Clears the <paramref name="fbWidth"/> x <paramref name="fbHeight"/> framebuffer to black;
    /// blits the <paramref name="imageWidth"/> x <paramref name="imageHeight"/> image of
    /// <paramref name="image"/> (a framebuffer name, 0 for none) where <paramref name="controls"/>'
    /// scaling puts it; then either <paramref name="centre"/> large in the middle (over the image
    /// dimmed) or else <paramref name="problem"/> along the bottom; then <paramref name="hud"/>
    /// (empty for none) at the top left. Text grows with <paramref name="uiScale"/>, the
    /// framebuffer pixels per screen coordinate.
    /// </summary>
    public void Paint(int fbWidth, int fbHeight, int uiScale, uint image, int imageWidth, int imageHeight, ViewControls controls, string? centre, string? problem, ReadOnlySpan<char> hud)
    {
        _gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        _gl.Viewport(0, 0, (uint)fbWidth, (uint)fbHeight);
        _gl.ClearColor(0f, 0f, 0f, 1f);
        _gl.Clear(ClearBufferMask.ColorBufferBit);

        if (image != 0)
        {
            ViewRect r = ViewLayout.Place(controls.Scale, controls.Zoom, imageWidth, imageHeight, fbWidth, fbHeight);

            // The compositor's target holds the guest's top row at GL row 0; the window's bottom
            // row is GL row 0, so the destination runs from its top (fbHeight - Y) down.
            _gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, image);
            _gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
            _gl.BlitFramebuffer(
                0, 0, imageWidth, imageHeight,
                r.X, fbHeight - r.Y, r.X + r.Width, fbHeight - r.Y - r.Height,
                ClearBufferMask.ColorBufferBit,
                r.Nearest ? BlitFramebufferFilter.Nearest : BlitFramebufferFilter.Linear);
            _gl.BindFramebuffer(FramebufferTarget.Framebuffer, 0);
        }

        int scale = Math.Max(1, uiScale);
        if (centre is not null)
        {
            if (image != 0)
            {
                _overlay.FillRect(fbWidth, fbHeight, 0, 0, fbWidth, fbHeight, 0f, 0f, 0f, 0.65f);
            }

            int textScale = MessageScale * scale;
            string text = _wrap.Wrap(centre, Math.Max(8, fbWidth / (BitmapFont.CellSize * textScale)) - 2);
            (int columns, int rows) = Overlay.Measure(text);
            int tw = columns * BitmapFont.CellSize * textScale, th = ((rows * Overlay.LineHeight) - 2) * textScale;
            _overlay.DrawText(fbWidth, fbHeight, text, (fbWidth - tw) / 2, (fbHeight - th) / 2, textScale, 0.5f);
        }
        else if (problem is not null)
        {
            string text = _wrap.Wrap(problem, Math.Max(8, fbWidth / (BitmapFont.CellSize * scale)) - 1);
            (_, int rows) = Overlay.Measure(text);
            _overlay.DrawText(fbWidth, fbHeight, text, 0, fbHeight - (((rows * Overlay.LineHeight) - 2) * scale), scale, 0.6f);
        }

        if (!hud.IsEmpty)
        {
            _overlay.DrawText(fbWidth, fbHeight, hud, 4 * scale, 4 * scale, scale, 0.6f);
        }
    }

    public void Dispose() => _overlay.Dispose();
}
