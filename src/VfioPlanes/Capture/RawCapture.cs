using System.Text.Json;
using VgpuView.VfioPlanes.Pixels;
using VgpuView.VfioPlanes.Planes;
using VgpuView.VfioPlanes.Png;

namespace VgpuView.VfioPlanes.Capture;

/// <summary>
/// Saves a frame's planes exactly as the device laid them out (stride, tiling, format), with a
/// JSON description in the format `sim:replay=FILE.json` reads, so a plane captured from a real
/// device can be shown again anywhere.
/// </summary>
/// <remarks>
/// The bytes are copied by <see cref="KeepPrimary"/> and <see cref="KeepCursor"/> inside the CPU
/// read whose bytes are also converted for the PNG, and written from that copy: a second read
/// of the live mapping after the PNG is encoded could see a later picture than the PNG holds.
/// The copies are kept between frames and grow only when the mode does.
/// </remarks>
public sealed class RawCapture
{
    private readonly Plane _primary = new();
    private readonly Plane _cursor = new();
    private bool _hasPrimary;
    private bool _hasCursor;

    /// <summary>
    /// The full paths of the files <see cref="Write"/> writes for a capture to <paramref name="pngPath"/>:
    /// the PNG's name without its extension, plus ".raw", ".cursor.raw" and ".json".
    /// </summary>
    public static (string Primary, string Cursor, string Json) PathsFor(string pngPath)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(pngPath)) ?? "/";
        string stem = Path.GetFileNameWithoutExtension(pngPath);
        return (Path.Combine(directory, stem + ".raw"), Path.Combine(directory, stem + ".cursor.raw"), Path.Combine(directory, stem + ".json"));
    }

    /// <summary>Copies what the primary plane occupies from <paramref name="bytes"/>, a CPU read of it; forgets the cursor until <see cref="KeepCursor"/>.</summary>
    /// <exception cref="ArgumentException">The plane's layout is one the converter does not know.</exception>
    public void KeepPrimary(in PlaneInfo info, ReadOnlySpan<byte> bytes)
    {
        _primary.Keep(info, bytes);
        _hasPrimary = true;
        _hasCursor = false;
    }

    /// <summary>Copies what the cursor plane occupies from <paramref name="bytes"/>; it is written with the primary.</summary>
    /// <exception cref="ArgumentException">As <see cref="KeepPrimary"/>.</exception>
    public void KeepCursor(in PlaneInfo info, ReadOnlySpan<byte> bytes)
    {
        _cursor.Keep(info, bytes);
        _hasCursor = true;
    }

    /// <summary>
    /// For a capture to "dir/x.png" writes "dir/x.raw" (the kept primary), "dir/x.cursor.raw" (the
    /// kept cursor, if one was kept since the primary) and "dir/x.json", each replaced atomically,
    /// the JSON last so that it never names a file that is not complete.
    /// </summary>
    /// <exception cref="InvalidOperationException">No primary plane was kept.</exception>
    public void Write(string pngPath)
    {
        if (!_hasPrimary)
        {
            throw new InvalidOperationException("no primary plane was kept to write");
        }

        (string primaryPath, string cursorPath, string jsonPath) = PathsFor(pngPath);
        OutputFile.Write(primaryPath, _primary.Bytes);
        if (_hasCursor)
        {
            OutputFile.Write(cursorPath, _cursor.Bytes);
        }

        OutputFile.Write(jsonPath, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteStartArray("planes");
            WritePlane(json, _primary.Info, Path.GetFileName(primaryPath));
            if (_hasCursor)
            {
                WritePlane(json, _cursor.Info, Path.GetFileName(cursorPath));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WritePlane(Utf8JsonWriter json, in PlaneInfo p, string file)
    {
        json.WriteStartObject();
        json.WriteString("plane", p.Plane.Name());
        json.WriteString("file", file);
        PlaneJson.WriteLayout(json, p);
        json.WriteEndObject();
    }

    // One plane's layout and a copy of its bytes, in a buffer reused from frame to frame.
    private sealed class Plane
    {
        private byte[] _buffer = [];
        private int _length;

        public PlaneInfo Info { get; private set; }

        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

        public void Keep(in PlaneInfo info, ReadOnlySpan<byte> bytes)
        {
            // What the plane occupies: its reported size, and never less than its rows (of tiles) need.
            long needed = Math.Max(PixelConverter.RequiredSourceBytes(PlaneLayout.FromPlane(info)), info.Size);
            int length = (int)Math.Min(bytes.Length, needed);
            if (_buffer.Length < length)
            {
                _buffer = GC.AllocateUninitializedArray<byte>(length);
            }

            bytes[..length].CopyTo(_buffer);
            _length = length;
            Info = info;
        }
    }
}
