namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The guest's clock and mode: which frame the script has reached (one per primary query) and
/// the base mode it plays in, which an EDID brought up can change.
/// </summary>
internal sealed class SimGuest
{
    private readonly bool _fixedMode;

    internal SimGuest(SimMode baseMode, bool fixedMode)
    {
        BaseMode = baseMode;
        _fixedMode = fixedMode;
        Current = At(0);
    }

    /// <summary>The guest's normal mode.</summary>
    public SimMode BaseMode { get; private set; }

    /// <summary>The last frame shown: the number of primary queries so far minus one.</summary>
    public long Frame { get; private set; } = -1;

    /// <summary>The state of the last frame shown (of frame 0 before the first).</summary>
    public GuestFrame Current { get; private set; }

    /// <summary>The guest's state at <paramref name="frame"/>, as the script plays it.</summary>
    public GuestFrame At(long frame) => GuestScript.At(frame, BaseMode, _fixedMode);

    /// <summary>Moves to the next frame and returns its state.</summary>
    public GuestFrame Advance()
    {
        Frame++;
        Current = At(Frame);
        return Current;
    }

    /// <summary>Moves to the next frame without playing the script (a replay supplies the planes).</summary>
    public long Tick() => ++Frame;

    /// <summary>Plays on in <paramref name="mode"/> from the current frame.</summary>
    public void ChangeMode(SimMode mode)
    {
        BaseMode = mode;
        Current = At(Math.Max(Frame, 0));
    }
}
