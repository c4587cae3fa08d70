// The replay file of sim:replay: the frames and buffers it names, its limits, and loading it.
using System.Globalization;
using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.IO;

namespace VgpuView.VfioPlanes.Simulation;

/// <summary>One plane of a replayed frame, validated. <paramref name="DrmPlaneType"/> is DRM_PLANE_TYPE_PRIMARY or DRM_PLANE_TYPE_CURSOR.</summary>
internal sealed record ReplayPlane(
    uint DrmPlaneType,
    int BufferIndex,
    uint Fourcc,
    ulong Modifier,
    int Width,
    int Height,
    int Stride,
    uint Size,
    int X,
    int Y,
    uint? HotX,
    uint? HotY);

/// <summary>One frame: the primary and the cursor plane, each absent when disabled.</summary>
internal sealed record ReplayFrame(ReplayPlane? Primary, ReplayPlane? Cursor);

/// <summary>A distinct buffer: one raw file read with one layout. Planes that share one share its dmabuf id.</summary>
internal sealed record ReplayBuffer(string Path, string Label, uint Fourcc, ulong Modifier, int Width, int Height, int Stride, uint Size);

/// <summary>
/// The replay file of <c>sim:replay=FILE.json</c>:
/// <c>{"planes":[{"plane":"primary"|"cursor","file":"x.raw","format":"XR24","modifier":"0x0",
/// "width":W,"height":H,"stride":S,"x":0,"y":0,"hot_x":null,"hot_y":null}]}</c>, or
/// <c>{"frames":[[plane, ...], ...]}</c> to play a sequence. <c>file</c> is relative to the JSON
/// file and holds the bytes exactly as the guest laid them out; <c>modifier</c> defaults to linear,
/// <c>x</c>/<c>y</c> to 0 and may be negative, <c>hot_x</c>/<c>hot_y</c> default to null (no hotspot).
/// Every field and every string is checked; a malformed file throws <see cref="InputException"/>
/// naming the file and the field. The JSON file is read whole, up to <see cref="MaxJsonBytes"/>;
/// a raw file is read later, only as far as its plane needs.
/// </summary>
internal sealed partial class ReplayFile
{
    /// <summary>The largest replay JSON file read: far more than the thousands of frames a capture series writes.</summary>
    public const int MaxJsonBytes = 16 << 20;

    /// <summary>
    /// The most bytes all distinct buffers of a replay may need together: each is read into memory
    /// when the device opens, so a file naming many large ones could otherwise take any amount.
    /// </summary>
    public const long MaxBufferBytes = 1L << 30;

    /// <summary>How deep arrays and objects may nest; the format needs three levels.</summary>
    private const int MaxDepth = 16;

    private const int MaxDimension = 16384;

    private static readonly string[] s_planeFields = ["plane", "file", "format", "modifier", "width", "height", "stride", "x", "y", "hot_x", "hot_y"];

    private ReplayFile(IReadOnlyList<ReplayFrame> frames, IReadOnlyList<ReplayBuffer> buffers)
    {
        Frames = frames;
        Buffers = buffers;
    }

    public IReadOnlyList<ReplayFrame> Frames { get; }

    public IReadOnlyList<ReplayBuffer> Buffers { get; }

    /// <summary>Reads and validates <paramref name="path"/>; raw files are checked but read later.</summary>
    /// <exception cref="InputException">The file cannot be read, is larger than <see cref="MaxJsonBytes"/>, or is not a valid replay file.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> ended a wait for a FIFO's writer.</exception>
    internal static ReplayFile Load(string path, CancellationToken cancel = default)
    {
        byte[] bytes = BoundedFile.ReadAll(path, MaxJsonBytes, "replay file", cancel);
        string json;
        try
        {
            // A byte order mark is allowed, as File.ReadAllText allows it.
            int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            json = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException($"replay file '{PrintableText.Of(path)}' is not UTF-8 text: byte {e.Index} is not valid UTF-8", e);
        }

        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(json, PrintableText.Of(path), dir);
    }

    /// <summary>Validates <paramref name="json"/>; <paramref name="name"/> starts every message, <paramref name="baseDir"/> resolves "file".</summary>
    internal static ReplayFile Parse(string json, string name, string baseDir)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw new InputException($"{name}: not valid JSON: {PrintableText.Of(e.Message)}", e);
        }

        using (doc)
        {
            var parser = new Parser(name, baseDir);
            try
            {
                return parser.Root(doc.RootElement);
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json refuses to give a string or a name that holds an escaped lone
                // surrogate ("\ud800"); every value and name read is checked before this can
                // happen, so reaching here is a value the checks missed: still the file's fault.
                throw new InputException($"{name}: a string is not valid Unicode text: {PrintableText.Of(e.Message)}", e);
            }
        }
    }
}
