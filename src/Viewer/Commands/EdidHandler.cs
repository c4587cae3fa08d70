using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.Devices;
using VgpuView.VfioPlanes.Edid;

namespace VgpuView.Viewer.Commands;

/// <summary>What `vgpuview edid` was asked to do.</summary>
internal sealed record EdidOptions
{
    public required string Device { get; init; }

    /// <summary>Present a monitor whose preferred mode is this (width, height, refresh).</summary>
    public (int Width, int Height, int RefreshHz)? Mode { get; init; }

    /// <summary>Present the monitor this EDID file describes.</summary>
    public string? BlobFile { get; init; }

    /// <summary>Only set the link: true up, false down.</summary>
    public bool? Link { get; init; }

    public TimeSpan LinkUpDelay { get; init; } = EdidWriter.DefaultLinkUpDelay;

    public bool Json { get; init; }
}

/// <summary>
/// `vgpuview edid`: shows the EDID region, or sets the monitor the guest sees (and with it the
/// guest's resolution) by writing an EDID and bringing the link up, as a VMM does.
/// </summary>
internal sealed class EdidHandler(CommandContext context)
{
    /// <summary>The name given to monitors built for --mode.</summary>
    public const string MonitorName = "vgpuview";

    public int Run(EdidOptions options)
    {
        if ((options.Mode is null ? 0 : 1) + (options.BlobFile is null ? 0 : 1) + (options.Link is null ? 0 : 1) > 1)
        {
            throw new UsageException("--mode, --blob and --link each say what to write: give one of them");
        }

        byte[]? blob = options.Mode is { } m ? Build(m) : options.BlobFile is { } file ? Load(file) : null;
        using VgpuDevice device = context.Opener.Open(options.Device);
        EdidRegionState? state;
        if (blob is not null)
        {
            EdidRegionState? current = EdidRegionState.Read(device);
            if (options.Mode is { } mode && current is { HeaderRead: true, Problem: null } &&
                ((current.MaxXres != 0 && mode.Width > current.MaxXres) || (current.MaxYres != 0 && mode.Height > current.MaxYres)))
            {
                throw new UsageException($"--mode {mode.Width}x{mode.Height} is larger than {device.Name} allows: max_xres x max_yres is {current.MaxXres}x{current.MaxYres}");
            }

            // A blob the region cannot hold is the request's fault, as a mode over max_xres is:
            // refused here, before anything is written, rather than by the writer as bad data.
            if (current is { HeaderRead: true, Problem: null } && blob.Length > current.EdidMaxSize)
            {
                string what = options.BlobFile is { } blobFile ? $"--blob {blobFile}: {blob.Length} bytes" : $"--mode: the {blob.Length}-byte EDID";
                throw new UsageException($"{what} is more than {device.Name}'s EDID region {current.RegionIndex} takes: edid_max_size {current.EdidMaxSize}");
            }

            state = EdidWriter.Present(device, blob, options.LinkUpDelay);
        }
        else if (options.Link is bool up)
        {
            state = EdidWriter.SetLink(device, up);
        }
        else
        {
            state = EdidRegionState.Read(device);
            if (state is null && !options.Json)
            {
                context.Error.WriteLine($"vgpuview: {device.Name} has no EDID region (no region with the GFX/EDID type capability)");
                return ExitCodes.DeviceFailure;
            }
        }

        if (options.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("device", device.Name);
                EdidText.Write(json, "edid", state);
                json.WriteEndObject();
            }

            context.Output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            return state is null ? ExitCodes.DeviceFailure : ExitCodes.Success;
        }

        context.Output.WriteLine($"{device.Name}: {EdidText.Describe(state!)}");
        if (EdidText.Hint(state!) is string hint)
        {
            context.Output.WriteLine(hint);
        }

        return ExitCodes.Success;
    }

    private static byte[] Build((int Width, int Height, int RefreshHz) mode) =>
        EdidBuilder.TryForMode(mode.Width, mode.Height, mode.RefreshHz, MonitorName, out byte[]? edid, out string? problem)
            ? edid!
            : throw new UsageException($"--mode: {problem}");

    /// <summary>
    /// Reads the file through <see cref="BoundedFile"/>, at most one byte more than an EDID can
    /// have: a device node reports a length of 0 and may never end (/dev/zero), and a FIFO's
    /// writer may never come, which a signal then ends.
    /// </summary>
    private byte[] Load(string file)
    {
        byte[] blob;
        try
        {
            blob = BoundedFile.ReadAll(file, EdidRegionState.MaxBlobBytes, "--blob", context.Cancellation);
        }
        catch (InputTooLargeException e)
        {
            throw new UsageException($"--blob {PrintableText.Of(file)}: more than the {EdidRegionState.MaxBlobBytes} bytes an EDID can have (256 blocks of {EdidBlock.BlockSize})", e);
        }

        if (!EdidBlock.TryValidate(blob, out string? problem))
        {
            throw new UsageException($"--blob {PrintableText.Of(file)}: {problem}");
        }

        return blob;
    }
}
