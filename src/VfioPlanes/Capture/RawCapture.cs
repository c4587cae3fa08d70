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
public static class RawCapture
{
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

    /// <summary>
    /// For a capture to "dir/x.png" writes "dir/x.raw" (the primary), "dir/x.cursor.raw" (the cursor,
    /// when shown and <paramref name="includeCursor"/>) and "dir/x.json", each replaced atomically,
    /// the JSON last so that it never names a file that is not complete.
    /// </summary>
    public static void Write(string pngPath, Frame frame, bool includeCursor)
    {
        (string primaryPath, string cursorPath, string jsonPath) = PathsFor(pngPath);
        string directory = Path.GetDirectoryName(jsonPath)!;
        var planes = new List<(PlaneInfo Info, string File)>(2);

        WritePlane(frame.Primary, Path.GetFileName(primaryPath));
        PlaneState cursor = frame.Cursor;
        if (includeCursor && cursor.Status == PlaneStatus.Enabled && cursor.IsShown)
        {
            WritePlane(cursor, Path.GetFileName(cursorPath));
        }

        AtomicFile.Write(jsonPath, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteStartArray("planes");
            foreach ((PlaneInfo p, string file) in planes)
            {
                json.WriteStartObject();
                json.WriteString("plane", p.Plane == PlaneType.Cursor ? "cursor" : "primary");
                json.WriteString("file", file);
                PlaneJson.WriteLayout(json, p);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

        void WritePlane(PlaneState plane, string file)
        {
            PlaneInfo info = plane.Info;
            using PlaneMemory memory = plane.BeginCpuRead();
            ReadOnlySpan<byte> bytes = memory.Bytes;

            // What the plane occupies: its reported size, and never less than its rows (of tiles) need.
            long needed = Math.Max(PixelConverter.RequiredSourceBytes(PlaneLayout.FromPlane(info)), info.Size);
            int length = (int)Math.Min(bytes.Length, needed);
            AtomicFile.Write(Path.Combine(directory, file), bytes[..length]);
            planes.Add((info, file));
        }
    }
}
