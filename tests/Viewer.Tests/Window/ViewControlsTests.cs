using VgpuView.Viewer.Window;
using Xunit;

namespace VgpuView.Viewer.Tests.Window;

/// <summary>
/// What each key does to the view's switches. Keys are GLFW key codes (GLFW/glfw3.h: Q 81, F 70,
/// C 67, H 72, M 77, S 83, Escape 256, F12 301); + and - arrive as characters.
/// </summary>
public sealed class ViewControlsTests
{
    private const int Q = 81, F = 70, C = 67, H = 72, M = 77, S = 83, Escape = 256, F12 = 301, Unbound = 65;
    // A character arrives as its code point above every GLFW key code (the window's char callback adds 0x100000).
    private const int Plus = 0x100000 + '+', Minus = 0x100000 + '-';

    [Theory]
    [InlineData(Q, nameof(KeyAction.Close))]
    [InlineData(Escape, nameof(KeyAction.Close))]
    [InlineData(F, nameof(KeyAction.ToggleFullscreen))]
    [InlineData(S, nameof(KeyAction.Screenshot))]
    [InlineData(F12, nameof(KeyAction.Screenshot))]
    [InlineData(Unbound, nameof(KeyAction.None))]
    public void Press_WindowKeys_AskTheWindowAndLeaveTheSwitches(int key, string action)
    {
        KeyAction expected = Enum.Parse<KeyAction>(action);
        var controls = new ViewControls(ScaleMode.Fill, 3, showHud: true, showCursor: false);

        Assert.Equal(expected, controls.Press(key));
        Assert.Equal((ScaleMode.Fill, 3, true, false), (controls.Scale, controls.Zoom, controls.ShowHud, controls.ShowCursor));
    }

    [Fact]
    public void Press_CAndH_ToggleCursorAndHud()
    {
        var controls = new ViewControls(ScaleMode.Fit, 1, showHud: false, showCursor: true);

        Assert.Equal(KeyAction.None, controls.Press(C));
        Assert.False(controls.ShowCursor);
        Assert.Equal(KeyAction.None, controls.Press(H));
        Assert.True(controls.ShowHud);
        controls.Press(C);
        controls.Press(H);
        Assert.True(controls.ShowCursor);
        Assert.False(controls.ShowHud);
    }

    [Fact]
    public void Press_M_StepsFitFillOneToOneAndBack()
    {
        var controls = new ViewControls(ScaleMode.Fit, 2, showHud: false, showCursor: true);
        ScaleMode[] seen = new ScaleMode[4];
        for (int i = 0; i < seen.Length; i++)
        {
            controls.Press(M);
            seen[i] = controls.Scale;
        }

        Assert.Equal([ScaleMode.Fill, ScaleMode.OneToOne, ScaleMode.Fit, ScaleMode.Fill], seen);
        Assert.Equal(2, controls.Zoom);
    }

    [Fact]
    public void Press_Plus_EntersOneToOneAtX1ThenZoomsInUpToTheMost()
    {
        var controls = new ViewControls(ScaleMode.Fit, 5, showHud: false, showCursor: true);

        controls.Press(Plus);
        Assert.Equal((ScaleMode.OneToOne, 1), (controls.Scale, controls.Zoom));
        controls.Press(Plus);
        Assert.Equal(2, controls.Zoom);
        for (int i = 0; i < 20; i++)
        {
            controls.Press(Plus);
        }

        Assert.Equal(16, controls.Zoom);
    }

    [Fact]
    public void Press_Minus_ZoomsOutDownToX1InOneToOne()
    {
        var controls = new ViewControls(ScaleMode.Fill, 3, showHud: false, showCursor: true);

        controls.Press(Minus);
        Assert.Equal((ScaleMode.OneToOne, 2), (controls.Scale, controls.Zoom));
        controls.Press(Minus);
        controls.Press(Minus);
        Assert.Equal((ScaleMode.OneToOne, 1), (controls.Scale, controls.Zoom));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(7, 7)]
    [InlineData(99, 16)]
    public void Zoom_StartsWithinOneToTheMost(int asked, int expected)
    {
        Assert.Equal(expected, new ViewControls(ScaleMode.OneToOne, asked, showHud: false, showCursor: true).Zoom);
    }
}
