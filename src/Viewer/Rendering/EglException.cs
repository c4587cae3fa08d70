namespace VgpuView.Viewer.Rendering;

/// <summary>An EGL call failed; carries the call and the eglGetError value.</summary>
public sealed class EglException : Exception
{
    public EglException(string call, int error, string? detail = null)
        : base($"{call} failed: {ErrorName(error)} (0x{error:X4}){(detail is null ? string.Empty : ": " + detail)}")
    {
        Call = call;
        Error = error;
    }

    private EglException(string call, string message, int error)
        : base(message)
    {
        Call = call;
        Error = error;
    }

    public string Call { get; }

    /// <summary>The EGL error code (EGL/egl.h, EGL_SUCCESS = 0x3000 and up).</summary>
    public int Error { get; }

    internal static EglException Last(string call, string? detail = null) => new(call, Interop.Egl.GetError(), detail);

    /// <summary>Nothing failed with an error code: EGL lacks something, which <paramref name="message"/> says.</summary>
    internal static EglException Missing(string call, string message) => new(call, message, Interop.Egl.EGL_SUCCESS);

    internal static string ErrorName(int error) => error switch
    {
        0x3000 => "EGL_SUCCESS",
        0x3001 => "EGL_NOT_INITIALIZED",
        0x3002 => "EGL_BAD_ACCESS",
        0x3003 => "EGL_BAD_ALLOC",
        0x3004 => "EGL_BAD_ATTRIBUTE",
        0x3005 => "EGL_BAD_CONFIG",
        0x3006 => "EGL_BAD_CONTEXT",
        0x3007 => "EGL_BAD_CURRENT_SURFACE",
        0x3008 => "EGL_BAD_DISPLAY",
        0x3009 => "EGL_BAD_MATCH",
        0x300A => "EGL_BAD_NATIVE_PIXMAP",
        0x300B => "EGL_BAD_NATIVE_WINDOW",
        0x300C => "EGL_BAD_PARAMETER",
        0x300D => "EGL_BAD_SURFACE",
        0x300E => "EGL_CONTEXT_LOST",
        0 => "no EGL error code",
        _ => "EGL error",
    };
}

/// <summary>A GL step failed: a shader that does not compile or link, an incomplete framebuffer, a GL error.</summary>
public sealed class GlException : Exception
{
    public GlException(string message)
        : base(message)
    {
    }
}
