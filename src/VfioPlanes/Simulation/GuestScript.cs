namespace VgpuView.VfioPlanes.Simulation;

/// <summary>What the simulated guest shows in one frame.</summary>
/// <param name="Frame">The frame number, counted from 0 at the first primary query.</param>
/// <param name="Enabled">Whether the guest has its display (primary and cursor) enabled.</param>
/// <param name="Mode">The primary plane's mode.</param>
/// <param name="Slot">Which of the two page-flipped buffers the frame is drawn in (0 or 1).</param>
/// <param name="FirstAfterModeChange">The first frame after a mode change (mbochs fails its query with ENOMEM).</param>
/// <param name="BoxX">Left of the moving box.</param>
/// <param name="BoxY">Top of the moving box.</param>
/// <param name="CursorX">Cursor plane left edge; negative when it hangs off the left.</param>
/// <param name="CursorY">Cursor plane top edge; negative when it hangs off the top.</param>
/// <param name="CursorShape">Which cursor image (0 or 1, see <see cref="TestPattern.CursorHotspot"/>).</param>
/// <param name="CursorHotspotHidden">Whether a provider that can (GVT-g) reports no hotspot (0xFFFFFFFF).</param>
internal readonly record struct GuestFrame(
    long Frame,
    bool Enabled,
    SimMode Mode,
    int Slot,
    bool FirstAfterModeChange,
    int BoxX,
    int BoxY,
    int CursorX,
    int CursorY,
    int CursorShape,
    bool CursorHotspotHidden);

/// <summary>
/// The built-in guest: a deterministic script of <see cref="CycleLength"/> frames that repeats
/// forever. Frame numbers count primary-plane queries from 0; <c>c = frame % 240</c> is the
/// position in the cycle:
/// <list type="table">
/// <item><term>0–99</term><description>test pattern in the base mode (the spec's WxH, 1024x768 by default).</description></item>
/// <item><term>100–119</term><description>display disabled: primary and cursor disabled.</description></item>
/// <item><term>120–179</term><description>mode changed to the alternate mode: 800x600, or 640x480 when the base mode is 800x600. Frame 120 is the first after the change.</description></item>
/// <item><term>180–239</term><description>the base mode again. Frame 180 is the first after the change.</description></item>
/// </list>
/// Whenever the display is enabled the guest page-flips: frame N is drawn in buffer N % 2, so the
/// primary plane alternates between two dmabuf ids. The test pattern is eight colour bars over the
/// top two thirds, a grey ramp below, a 64x64 box that moves each frame (orange in buffer 0, blue
/// in buffer 1) and the frame number in eight digits at the top left. The 64x64 ARGB8888 arrow
/// cursor is shown with the display; it moves each frame from (-32, -24) at c = 0, hangs off
/// every edge during the cycle and always keeps part of itself on screen. It uses shape 0
/// (hotspot 1,1) for c in 0–59, 120–149 and 180–209, and shape 1 (hotspot 17,17) for c in 60–99,
/// 150–179 and 210–239.
/// <para>
/// Per personality: sim:mbochs fails the primary query of frames 0, 120 and 180 with ENOMEM (the
/// first after the device is opened and after each mode change) and has no cursor. sim:mdpy cannot change mode, so it stays in
/// the base mode, and while the guest has the display disabled (100–119) it keeps showing the
/// picture of frame 99. sim:gvt reports no hotspot (0xFFFFFFFF) for c in 220–239.
/// </para>
/// </summary>
internal static class GuestScript
{
    internal const int CycleLength = 240;
    internal const int DisabledStart = 100;
    internal const int AlternateStart = 120;
    internal const int BaseAgainStart = 180;
    internal const int NoHotspotStart = 220;
    internal const int BoxSize = 64;
    internal const int CursorSize = 64;

    internal static SimMode AlternateMode(SimMode baseMode) =>
        baseMode == new SimMode(800, 600) ? new SimMode(640, 480) : new SimMode(800, 600);

    /// <summary>
    /// The guest's state at <paramref name="frame"/> with <paramref name="baseMode"/> as its normal
    /// mode. <paramref name="fixedMode"/>: the device cannot change mode (mdpy), so the guest stays in
    /// the base mode throughout.
    /// </summary>
    internal static GuestFrame At(long frame, SimMode baseMode, bool fixedMode = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        int c = (int)(frame % CycleLength);
        bool enabled = c is < DisabledStart or >= AlternateStart;
        bool alternate = !fixedMode && c is >= AlternateStart and < BaseAgainStart;
        SimMode mode = alternate ? AlternateMode(baseMode) : baseMode;
        bool first = !fixedMode && c is AlternateStart or BaseAgainStart;

        int boxX = c * 13 % (mode.Width - BoxSize);
        int boxY = c * 7 % (mode.Height - BoxSize);
        // Always partly on screen: from 32 px off the left (24 off the top) to 1 px from the right (bottom).
        int cursorX = c * 11 % (mode.Width + 32) - 32;
        int cursorY = c * 5 % (mode.Height + 24) - 24;
        int shape = c is (>= 60 and < 100) or (>= 150 and < 180) or >= 210 ? 1 : 0;

        return new GuestFrame(frame, enabled, mode, (int)(frame % 2), first, boxX, boxY, cursorX, cursorY, shape, c >= NoHotspotStart);
    }
}
