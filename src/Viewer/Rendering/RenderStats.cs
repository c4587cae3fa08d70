namespace VgpuView.Viewer.Rendering;

/// <summary>Counters of the work the renderer did, for tests, benchmarks and the info command.</summary>
public sealed class RenderStats
{
    /// <summary>EGLImages created from dma-bufs.</summary>
    public long Imports { get; internal set; }

    /// <summary>glTexSubImage2D uploads of a whole plane.</summary>
    public long Uploads { get; internal set; }

    /// <summary>Imports EGL accepted whose first draw raised a GL error.</summary>
    public long FailedImports { get; internal set; }

    public long Frames { get; internal set; }
}
