// Debian's noVNC (vnc.html) in a HeadlessChromium tab: the URL that connects it at 1:1, and what
// it shows read back through Runtime.evaluate — the canvas's pixels exactly (getImageData, no
// screenshot scaling) and the cursor it set from the server's Cursor pseudo-encoding.
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace VgpuView.Viewer.Tests.Serve.RealClients;

internal sealed partial class NoVncPage(HeadlessChromium browser, string session)
{
    private const string Canvas = "document.querySelector('#noVNC_container canvas')";

    /// <summary>
    /// vnc.html with noVNC's own URL settings: connect at once, no scaling or remote resizing
    /// (resize=off: the canvas is the framebuffer, pixel for pixel), no reconnect, the WebSocket
    /// at <paramref name="path"/> of the page's own host and port.
    /// </summary>
    public static Uri Url(Uri page, string path) =>
        new(page, "vnc.html?autoconnect=1&resize=off&reconnect=0&view_clip=0&logging=info&path=" + Uri.EscapeDataString(path));

    public static async Task<NoVncPage> OpenAsync(HeadlessChromium browser, Uri url) => new(browser, await browser.OpenAsync(url));

    /// <summary>noVNC's status line and the page's log, for failure messages.</summary>
    public async Task<string> DescribeAsync()
    {
        JsonNode? status = await browser.EvaluateAsync(session, "(() => { const s = document.getElementById('noVNC_status'); return s ? s.textContent : '(no status element)'; })()");
        return $"noVNC status: '{status}'; page log: {browser.DevTools.Log}";
    }

    /// <summary>The canvas's size, or null before noVNC has made one.</summary>
    public async Task<(int Width, int Height)?> CanvasSizeAsync()
    {
        JsonNode? size = await browser.EvaluateAsync(session, $"(() => {{ const c = {Canvas}; return c && c.width && c.height ? [c.width, c.height] : null; }})()");
        return size is null ? null : ((int)size[0]!, (int)size[1]!);
    }

    /// <summary>The canvas's pixels through getImageData, exact RGBA; null before noVNC has made one.</summary>
    public async Task<RgbaImage?> ReadCanvasAsync()
    {
        JsonNode? image = await browser.EvaluateAsync(session, $$"""
            (() => {
              const c = {{Canvas}};
              if (!c || !c.width || !c.height) return null;
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let s = '';
              for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
              return { width: c.width, height: c.height, rgba: btoa(s) };
            })()
            """);
        return image is null ? null : new RgbaImage((int)image["width"]!, (int)image["height"]!, Convert.FromBase64String((string)image["rgba"]!));
    }

    /// <summary>
    /// The cursor noVNC set on its canvas, from the server's Cursor pseudo-encoding: noVNC draws
    /// the cursor's pixels into a canvas of its own and sets the result as a CSS cursor,
    /// <c>url(data:image/png;base64,...) HOTX HOTY, default</c>. Null while it has set none.
    /// </summary>
    public async Task<(byte[] Png, int HotX, int HotY)?> CursorAsync()
    {
        string? css = (string?)await browser.EvaluateAsync(session, $"(() => {{ const c = {Canvas}; return c ? c.style.cursor : null; }})()");
        Match m = CssCursor().Match(css ?? string.Empty);
        return m.Success ? (Convert.FromBase64String(m.Groups[1].Value), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>Waits until the canvas shows <paramref name="expected"/> pixel for pixel (RGB); fails with the last difference after <paramref name="timeout"/>.</summary>
    public async Task WaitForPictureAsync(RgbaImage expected, TimeSpan timeout, string what, ServeProcess serve)
    {
        var clock = Stopwatch.StartNew();
        string last = "no canvas yet";
        while (clock.Elapsed < timeout)
        {
            (int Width, int Height)? size = await CanvasSizeAsync();
            if (size == (expected.Width, expected.Height))
            {
                RgbaImage? actual = await ReadCanvasAsync();
                if (actual is not null)
                {
                    try
                    {
                        ReplayScenes.AssertSameRgb(expected, actual, what);
                        return;
                    }
                    catch (Xunit.Sdk.XunitException e)
                    {
                        last = e.Message;
                    }
                }
            }
            else if (size is not null)
            {
                last = $"canvas {size.Value.Width}x{size.Value.Height}, expected {expected.Width}x{expected.Height}";
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{what}: noVNC's canvas did not show the frame in {timeout.TotalSeconds} s: {last}; {await DescribeAsync()}; server log: {serve.Errors}");
    }

    [GeneratedRegex("""^url\("?data:image/png;base64,([A-Za-z0-9+/=]+)"?\)\s*(\d+)\s+(\d+)""")]
    private static partial Regex CssCursor();
}
