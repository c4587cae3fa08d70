// The replay file's parser: every field and string of its JSON checked, planes and buffers built.
using System.Globalization;
using System.Text;
using System.Text.Json;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.IO;
using VgpuView.VfioPlanes.Planes;
using static Interop.Vfio;

namespace VgpuView.VfioPlanes.Simulation;

internal sealed partial class ReplayFile
{
    private sealed class Parser(string name, string baseDir)
    {
        private readonly List<ReplayBuffer> _buffers = [];
        private readonly Dictionary<(string, uint, ulong, int, int, int), int> _bufferIndex = [];
        private long _bufferBytes;

        public ReplayFile Root(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(string.Empty, $"expected an object with \"planes\" or \"frames\", got {Describe(root)}");
            }

            bool hasPlanes = root.TryGetProperty("planes", out JsonElement planes);
            bool hasFrames = root.TryGetProperty("frames", out JsonElement frames);
            foreach (JsonProperty p in root.EnumerateObject())
            {
                string field = Name(p, string.Empty);
                if (field is not ("planes" or "frames"))
                {
                    throw Error(PrintableText.Of(field), "unknown field; expected \"planes\" or \"frames\"");
                }
            }

            if (hasPlanes == hasFrames)
            {
                throw Error(string.Empty, hasPlanes ? "has both \"planes\" and \"frames\"; give one" : "needs \"planes\" (one frame) or \"frames\" (a sequence)");
            }

            var result = new List<ReplayFrame>();
            if (hasPlanes)
            {
                if (planes.ValueKind != JsonValueKind.Array || planes.GetArrayLength() == 0)
                {
                    throw Error("planes", $"expected a non-empty array of planes, got {Describe(planes)}");
                }

                result.Add(Frame(planes, "planes"));
            }
            else
            {
                if (frames.ValueKind != JsonValueKind.Array || frames.GetArrayLength() == 0)
                {
                    throw Error("frames", $"expected a non-empty array of frames (arrays of planes), got {Describe(frames)}");
                }

                int i = 0;
                foreach (JsonElement frame in frames.EnumerateArray())
                {
                    string at = $"frames[{i++}]";
                    if (frame.ValueKind != JsonValueKind.Array)
                    {
                        throw Error(at, $"expected an array of planes, got {Describe(frame)}");
                    }

                    result.Add(Frame(frame, at));
                }
            }

            return new ReplayFile(result, _buffers);
        }

        private ReplayFrame Frame(JsonElement planes, string at)
        {
            ReplayPlane? primary = null, cursor = null;
            int i = 0;
            foreach (JsonElement element in planes.EnumerateArray())
            {
                string p = $"{at}[{i++}]";
                ReplayPlane plane = Plane(element, p);
                if (plane.DrmPlaneType == DRM_PLANE_TYPE_PRIMARY ? primary is not null : cursor is not null)
                {
                    throw Error(p + ".plane", $"a second {((PlaneType)plane.DrmPlaneType).Name()} plane in one frame");
                }

                if (plane.DrmPlaneType == DRM_PLANE_TYPE_PRIMARY)
                {
                    primary = plane;
                }
                else
                {
                    cursor = plane;
                }
            }

            return new ReplayFrame(primary, cursor);
        }

        private ReplayPlane Plane(JsonElement e, string p)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Error(p, $"expected a plane object, got {Describe(e)}");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty prop in e.EnumerateObject())
            {
                string field = Name(prop, p);
                if (Array.IndexOf(s_planeFields, field) < 0)
                {
                    throw Error($"{p}.{PrintableText.Of(field)}", $"unknown field; expected {string.Join(", ", s_planeFields)}");
                }

                // TryGetProperty would take the last of two, silently: one plane has one of each.
                if (!seen.Add(field))
                {
                    throw Error($"{p}.{field}", "appears twice in one plane");
                }
            }

            string kind = RequiredString(e, p, "plane");
            if (!PlaneNames.TryParse(kind, out PlaneType planeType))
            {
                throw Error(p + ".plane", $"'{PrintableText.Of(kind)}' is not a plane; expected \"{PlaneType.Primary.Name()}\" or \"{PlaneType.Cursor.Name()}\"");
            }

            // PlaneType's values are the uapi's DRM_PLANE_TYPE_*.
            uint plane = (uint)planeType;

            string formatText = RequiredString(e, p, "format");
            if (!DrmFourcc.TryParse(formatText, out uint fourcc) || !FormatTable.TryGet(fourcc, out FormatInfo format))
            {
                throw Error(p + ".format", $"'{PrintableText.Of(formatText)}' is not a supported DRM format; expected a fourcc such as \"XR24\" or \"AR24\"");
            }

            ulong modifier = Modifier(e, p);
            int width = Integer(e, p, "width", 1, MaxDimension, null);
            int height = Integer(e, p, "height", 1, MaxDimension, null);
            int stride = Integer(e, p, "stride", 1, int.MaxValue, null);
            // A row as the converter reads it: an odd-width 4:2:2 row ends with a whole pixel pair.
            if (stride < format.RowBytes(width))
            {
                throw Error(p + ".stride", $"{stride} is below {format.DescribeRow(width)}");
            }

            TileLayout tiles = PixelEncoder.Tiles(modifier);
            if (stride % tiles.WidthBytes != 0)
            {
                throw Error(p + ".stride", $"{stride} is not a multiple of the {tiles.WidthBytes}-byte tile width of {DrmModifier.ToText(modifier)}");
            }

            int x = Integer(e, p, "x", int.MinValue, int.MaxValue, 0);
            int y = Integer(e, p, "y", int.MinValue, int.MaxValue, 0);
            uint? hotX = Hotspot(e, p, "hot_x", width);
            uint? hotY = Hotspot(e, p, "hot_y", height);
            if (hotX.HasValue != hotY.HasValue)
            {
                string missing = hotX.HasValue ? "hot_y" : "hot_x";
                throw Error($"{p}.{missing}", $"is null while {(hotX.HasValue ? "hot_x" : "hot_y")} is set; give both or neither");
            }

            long size = stride * tiles.PaddedRows(height);
            if (size > uint.MaxValue)
            {
                throw Error(p + ".height", $"stride {stride} × height {height} is {size} bytes, beyond the 32-bit size field");
            }

            string fileText = RequiredString(e, p, "file");
            if (!PrintableText.IsPlain(fileText))
            {
                throw Error(p + ".file", $"'{PrintableText.Of(fileText)}' holds a control character or a lone surrogate; a raw file's name must be printable");
            }

            string full = Path.GetFullPath(Path.Combine(baseDir, fileText));
            FileFacts facts;
            try
            {
                facts = BoundedFile.Inspect(full, "raw file");
            }
            catch (InputException ex)
            {
                throw Error(p + ".file", $"{ex.Message} (\"{PrintableText.Of(fileText)}\" relative to {PrintableText.Of(baseDir)})");
            }

            // Only a regular file's length says what a read gives; a FIFO, a device or a sysfs
            // attribute is measured when it is read, and a short one fails then.
            if (facts.IsRegular && facts.Length < size)
            {
                string what = tiles.Rows == 1 ? "stride × height" : $"stride × height rounded up to {tiles.Rows} rows";
                throw Error(p + ".file", $"{PrintableText.Of(fileText)} has {facts.Length} bytes, expected at least {what} = {size}");
            }

            var key = (full, fourcc, modifier, width, height, stride);
            if (!_bufferIndex.TryGetValue(key, out int index))
            {
                _bufferBytes += size;
                if (_bufferBytes > MaxBufferBytes)
                {
                    throw Error(p + ".file", $"the replay's distinct buffers need {_bufferBytes} bytes with this one, more than the limit of {MaxBufferBytes} (1 GiB)");
                }

                index = _buffers.Count;
                _buffers.Add(new ReplayBuffer(full, fileText, fourcc, modifier, width, height, stride, (uint)size));
                _bufferIndex.Add(key, index);
            }

            return new ReplayPlane(plane, index, fourcc, modifier, width, height, stride, (uint)size, x, y, hotX, hotY);
        }

        private ulong Modifier(JsonElement e, string p)
        {
            if (!e.TryGetProperty("modifier", out JsonElement m) || m.ValueKind == JsonValueKind.Null)
            {
                return DrmModifier.Linear;
            }

            string? text = m.ValueKind == JsonValueKind.String ? Text(m, p + ".modifier") : null;
            if (text is null || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ||
                !ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong modifier))
            {
                throw Error(p + ".modifier", $"expected hex text such as \"0x0\" or \"0x100000000000001\", got {Describe(m)}");
            }

            if (modifier is not (DrmModifier.Linear or DrmModifier.I915XTiled or DrmModifier.I915YTiled))
            {
                throw Error(p + ".modifier", $"{text} is not a layout replay can serve; expected 0x0 (linear), 0x100000000000001 (X-tiled) or 0x100000000000002 (Y-tiled)");
            }

            return modifier;
        }

        private uint? Hotspot(JsonElement e, string p, string field, int limit)
        {
            if (!e.TryGetProperty(field, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return (uint)Integer(e, p, field, 0, limit - 1, null);
        }

        private string RequiredString(JsonElement e, string p, string field)
        {
            if (!e.TryGetProperty(field, out JsonElement v))
            {
                throw Error($"{p}.{field}", "is missing");
            }

            if (v.ValueKind != JsonValueKind.String)
            {
                throw Error($"{p}.{field}", $"expected a non-empty string, got {Describe(v)}");
            }

            string text = Text(v, $"{p}.{field}");
            if (text.Length == 0)
            {
                throw Error($"{p}.{field}", "expected a non-empty string, got \"\"");
            }

            return text;
        }

        // A string value as text. An escaped lone surrogate ("\ud800") is valid JSON but no text:
        // System.Text.Json refuses to decode it, so it is refused here naming the field.
        private string Text(JsonElement v, string at)
        {
            try
            {
                return v.GetString() ?? string.Empty;
            }
            catch (InvalidOperationException)
            {
                throw Error(at, $"{Raw(v)} is not valid Unicode text (an escaped lone surrogate?)");
            }
        }

        // A property's name, refused as Text refuses a value.
        private string Name(JsonProperty property, string at)
        {
            try
            {
                return property.Name;
            }
            catch (InvalidOperationException)
            {
                throw Error(at, "a field's name is not valid Unicode text (an escaped lone surrogate?)");
            }
        }

        // The value as it is written in the file: JSON escapes keep it on one line.
        private static string Raw(JsonElement v)
        {
            string raw = v.GetRawText();
            return raw.Length <= PrintableText.MaxShown ? PrintableText.Of(raw) : PrintableText.Of(raw[..PrintableText.MaxShown]) + "…";
        }

        private int Integer(JsonElement e, string p, string field, long min, long max, int? defaultValue)
        {
            if (!e.TryGetProperty(field, out JsonElement v) || (defaultValue.HasValue && v.ValueKind == JsonValueKind.Null))
            {
                return defaultValue ?? throw Error($"{p}.{field}", "is missing");
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long value) || value < min || value > max)
            {
                throw Error($"{p}.{field}", $"expected an integer from {min} to {max}, got {Describe(v)}");
            }

            return (int)value;
        }

        private static string Describe(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => Raw(v),
            JsonValueKind.Number => Raw(v),
            JsonValueKind.Null => "null",
            JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Array => v.GetArrayLength() == 0 ? "an empty array" : "an array",
            _ => "an object",
        };

        private InputException Error(string field, string message) =>
            new(field.Length == 0 ? $"{name}: {message}" : $"{name}: {field}: {message}");
    }
}
