using System.Text.Json;
using VgpuView.VfioPlanes.Edid;

namespace VgpuView.Viewer.Commands;

/// <summary>How an EDID region is shown, in `info` and `edid`: one line of text, or a JSON object.</summary>
internal static class EdidText
{
    /// <summary>"region 9: link up, max 2560x1600, blob 128 of 3840 bytes: VGV 0x5649 ..."</summary>
    public static string Describe(EdidRegionState e)
    {
        string head = $"region {e.RegionIndex}: ";
        if (!e.HeaderRead)
        {
            return head + e.Problem;
        }

        string max = e.MaxXres == 0 && e.MaxYres == 0 ? "no size limit" : $"max {e.MaxXres}x{e.MaxYres}";
        string text = $"{head}link {e.LinkText}, {max}, blob {e.EdidSize} of {e.EdidMaxSize} bytes";
        return e.Problem is not null ? $"{text}: {e.Problem}"
            : e.Block is not null ? $"{text}: {e.Block}"
            : e.BlockProblem is not null ? $"{text}: {e.BlockProblem}"
            : text;
    }

    /// <summary>What the guest makes of a link that is not up, or null when it is up or the driver made the monitor itself.</summary>
    public static string? Hint(EdidRegionState e) => e.HeaderRead && e.Link != EdidLink.Up && !e.DriverMonitor
        ? "the guest sees no monitor EDID until the link is up: a VMM writes the blob and edid_size, then link_state UP (vgpuview edid DEVICE --mode WxH does)"
        : null;

    public static void Write(Utf8JsonWriter json, string name, EdidRegionState? e)
    {
        if (e is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("region", e.RegionIndex);
        json.WriteString("link_state", e.LinkText);
        if (e.HeaderRead)
        {
            json.WriteNumber("link_state_value", e.LinkStateValue);
            json.WriteNumber("max_xres", e.MaxXres);
            json.WriteNumber("max_yres", e.MaxYres);
            json.WriteNumber("edid_offset", e.EdidOffset);
            json.WriteNumber("edid_max_size", e.EdidMaxSize);
            json.WriteNumber("edid_size", e.EdidSize);
        }

        json.WriteString("problem", e.Problem);
        if (e.Block is { } b)
        {
            json.WriteStartObject("blob");
            json.WriteString("vendor", b.Vendor);
            json.WriteNumber("product", b.Product);
            json.WriteString("version", $"{b.Version}.{b.Revision}");
            json.WriteString("name", b.Name);
            json.WriteNumber("extensions", b.Extensions);
            json.WriteBoolean("checksum_ok", b.ChecksumOk);
            if (b.Preferred is { } t)
            {
                json.WriteStartObject("preferred");
                json.WriteNumber("width", t.Width);
                json.WriteNumber("height", t.Height);
                json.WriteNumber("refresh_hz", Math.Round(t.RefreshHz, 3));
                json.WriteNumber("pixel_clock_hz", t.PixelClockHz);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("preferred");
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("blob");
        }

        json.WriteString("blob_problem", e.BlockProblem);
        json.WriteEndObject();
    }
}
