using System.Text.Json;

namespace VgpuView.KernelGuest;

/// <summary>One line of <c>vgpuview watch --json</c>, the fields the checks read.</summary>
internal sealed record WatchEvent(
    long Frame, string Plane, string Event, string? Format, string? Modifier, int Width, int Height, int Stride,
    long? DmabufId, long Hits, long Misses, long OpenFds, string Line)
{
    public static WatchEvent Parse(string line)
    {
        JsonElement e;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            e = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CheckFailedException($"watch printed a line that is not JSON ({ex.Message}): {line}");
        }

        JsonElement cache = e.TryGetProperty("cache", out JsonElement c) && c.ValueKind == JsonValueKind.Object ? c : default;
        return new WatchEvent(
            Json.Long(e, "frame") ?? throw new CheckFailedException($"watch line without 'frame': {line}"),
            Json.Str(e, "plane") ?? throw new CheckFailedException($"watch line without 'plane': {line}"),
            Json.Str(e, "event") ?? throw new CheckFailedException($"watch line without 'event': {line}"),
            Json.Str(e, "format"),
            Json.Str(e, "modifier"),
            (int)(Json.Long(e, "width") ?? 0),
            (int)(Json.Long(e, "height") ?? 0),
            (int)(Json.Long(e, "stride") ?? 0),
            Json.Long(e, "dmabuf_id"),
            cache.ValueKind == JsonValueKind.Object ? Json.Long(cache, "hits") ?? -1 : -1,
            cache.ValueKind == JsonValueKind.Object ? Json.Long(cache, "misses") ?? -1 : -1,
            cache.ValueKind == JsonValueKind.Object ? Json.Long(cache, "open_fds") ?? -1 : -1,
            line);
    }
}

/// <summary>Tolerant readers for the CLI's JSON: a missing or mistyped field is null, and the check says which.</summary>
internal static class Json
{
    public static JsonDocument Parse(string text, string what)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CheckFailedException($"{what} did not print JSON ({e.Message}): {ViewerProcess.Tail(text)}");
        }
    }

    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    public static long? Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v)
            ? v.ValueKind switch
            {
                JsonValueKind.Number when v.TryGetInt64(out long n) => n,
                JsonValueKind.String when long.TryParse(v.GetString(), out long n) => n,
                _ => null,
            }
            : null;

    public static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;

    public static JsonElement Get(JsonElement e, string name, string what) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v)
            ? v
            : throw new CheckFailedException($"{what}: no '{name}' in {ViewerProcess.Tail(e.GetRawText(), 300)}");

    public static IEnumerable<JsonElement> Array(JsonElement e, string name, string what)
    {
        JsonElement v = Get(e, name, what);
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new CheckFailedException($"{what}: '{name}' is not an array");
        }

        return v.EnumerateArray();
    }
}
