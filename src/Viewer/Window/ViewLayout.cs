// Where the guest's image lands in the window for each scaling: fit, fill, or 1:1 at an integer zoom.
namespace VgpuView.Viewer.Window;

/// <summary>How the guest's screen is fitted into the window.</summary>
internal enum ScaleMode
{
    /// <summary>As large as fits with the guest's aspect kept; black bars fill the rest.</summary>
    Fit,

    /// <summary>Stretched over the whole window.</summary>
    Fill,

    /// <summary>Each guest pixel an integer number of framebuffer pixels, centred (cropped when larger than the window).</summary>
    OneToOne,
}

/// <summary>Where the guest's image lands in the window's framebuffer (top-left origin, framebuffer pixels) and how it is filtered.</summary>
internal readonly record struct ViewRect(int X, int Y, int Width, int Height, bool Nearest);

internal static class ViewLayout
{
    public const int MaxZoom = 16;

    /// <summary>
    /// The destination of an image of <paramref name="imageWidth"/> x <paramref name="imageHeight"/>
    /// in a framebuffer of <paramref name="fbWidth"/> x <paramref name="fbHeight"/> pixels (which
    /// is not the window's size on a HiDPI screen). Nearest filtering when every guest pixel
    /// covers a whole number of framebuffer pixels, linear otherwise.
    /// </summary>
    public static ViewRect Place(ScaleMode mode, int zoom, int imageWidth, int imageHeight, int fbWidth, int fbHeight)
    {
        if (imageWidth <= 0 || imageHeight <= 0 || fbWidth <= 0 || fbHeight <= 0)
        {
            return default;
        }

        switch (mode)
        {
            case ScaleMode.Fill:
                return new ViewRect(0, 0, fbWidth, fbHeight, fbWidth % imageWidth == 0 && fbHeight % imageHeight == 0);

            case ScaleMode.OneToOne:
            {
                int z = Math.Clamp(zoom, 1, MaxZoom);
                int w = imageWidth * z, h = imageHeight * z;
                return new ViewRect(Half(fbWidth - w), Half(fbHeight - h), w, h, true);
            }

            default:
            {
                // Compare the aspects in integers: the side that limits gets the whole window.
                long byWidth = (long)fbWidth * imageHeight, byHeight = (long)fbHeight * imageWidth;
                int w, h;
                if (byWidth <= byHeight)
                {
                    w = fbWidth;
                    h = (int)((((long)imageHeight * fbWidth) + (imageWidth / 2)) / imageWidth);
                }
                else
                {
                    h = fbHeight;
                    w = (int)((((long)imageWidth * fbHeight) + (imageHeight / 2)) / imageHeight);
                }

                bool nearest = w % imageWidth == 0 && h % imageHeight == 0 && w / imageWidth == h / imageHeight;
                return new ViewRect(Half(fbWidth - w), Half(fbHeight - h), w, h, nearest);
            }
        }
    }

    // Floor division, so a centred image larger than the window is cropped the same on every frame.
    private static int Half(int excess) => excess >= 0 ? excess / 2 : -((-excess + 1) / 2);
}
