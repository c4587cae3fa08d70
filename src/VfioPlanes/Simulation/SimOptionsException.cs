namespace VgpuView.VfioPlanes.Simulation;

/// <summary>
/// The options after "sim:" in a device spec are wrong. The message names the option and what is
/// expected, and is shown to the user as it is: it is part of the spec the user typed.
/// </summary>
public sealed class SimOptionsException(string message) : FormatException(message);
