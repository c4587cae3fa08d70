namespace VgpuView.Viewer.Rendering;

/// <summary>How a plane's pixels reach its texture.</summary>
public enum PlanePath
{
    /// <summary>EGL_EXT_image_dma_buf_import: the texture is a live view of the buffer; nothing per frame.</summary>
    Import,

    /// <summary>glTexSubImage2D of the plane's bytes (a CPU read of the buffer), every frame.</summary>
    Upload,
}
