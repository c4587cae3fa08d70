internal static partial class Interop
{
    internal static unsafe partial class Gl
    {
        internal const uint GL_TEXTURE_2D = 0x0DE1;
        internal const uint GL_TEXTURE0 = 0x84C0;
        internal const uint GL_TEXTURE_MIN_FILTER = 0x2801;
        internal const uint GL_TEXTURE_MAG_FILTER = 0x2800;
        internal const uint GL_TEXTURE_WRAP_S = 0x2802;
        internal const uint GL_TEXTURE_WRAP_T = 0x2803;
        internal const int GL_NEAREST = 0x2600;
        internal const int GL_CLAMP_TO_EDGE = 0x812F;
        internal const uint GL_UNPACK_ALIGNMENT = 0x0CF5;
        internal const uint GL_UNPACK_ROW_LENGTH = 0x0CF2;
        internal const uint GL_PACK_ALIGNMENT = 0x0D05;
        internal const uint GL_UNSIGNED_BYTE = 0x1401;
        internal const uint GL_RED = 0x1903;
        internal const uint GL_RG = 0x8227;
        internal const uint GL_RGB = 0x1907;
        internal const uint GL_RGBA = 0x1908;
        internal const int GL_R8 = 0x8229;
        internal const int GL_RG8 = 0x822B;
        internal const int GL_RGB8 = 0x8051;
        internal const int GL_RGBA8 = 0x8058;

        private static delegate* unmanaged<int, uint*, void> s_glGenTextures;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteTextures;
        private static delegate* unmanaged<uint, uint, void> s_glBindTexture;
        private static delegate* unmanaged<uint, void> s_glActiveTexture;
        private static delegate* unmanaged<uint, uint, int, void> s_glTexParameteri;
        private static delegate* unmanaged<uint, int, void> s_glPixelStorei;
        private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> s_glTexImage2D;
        private static delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void> s_glTexSubImage2D;
        private static delegate* unmanaged<uint, nint, void> s_glEGLImageTargetTexture2DOES;

        private static void LoadTextures()
        {
            s_glGenTextures = (delegate* unmanaged<int, uint*, void>)Required("glGenTextures");
            s_glDeleteTextures = (delegate* unmanaged<int, uint*, void>)Required("glDeleteTextures");
            s_glBindTexture = (delegate* unmanaged<uint, uint, void>)Required("glBindTexture");
            s_glActiveTexture = (delegate* unmanaged<uint, void>)Required("glActiveTexture");
            s_glTexParameteri = (delegate* unmanaged<uint, uint, int, void>)Required("glTexParameteri");
            s_glPixelStorei = (delegate* unmanaged<uint, int, void>)Required("glPixelStorei");
            s_glTexImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Required("glTexImage2D");
            s_glTexSubImage2D = (delegate* unmanaged<uint, int, int, int, int, int, uint, uint, void*, void>)Required("glTexSubImage2D");

            // GL_OES_EGL_image is optional: without it only the upload path exists.
            s_glEGLImageTargetTexture2DOES = (delegate* unmanaged<uint, nint, void>)Egl.GetProcAddress("glEGLImageTargetTexture2DOES");
        }

        internal static bool HasEglImageTarget => s_glEGLImageTargetTexture2DOES != null;

        internal static uint GenTexture()
        {
            uint t;
            s_glGenTextures(1, &t);
            return t;
        }

        internal static void DeleteTexture(uint texture) => s_glDeleteTextures(1, &texture);

        internal static void BindTexture(uint target, uint texture) => s_glBindTexture(target, texture);

        internal static void ActiveTexture(uint unit) => s_glActiveTexture(unit);

        internal static void TexParameteri(uint target, uint pname, int param) => s_glTexParameteri(target, pname, param);

        internal static void PixelStorei(uint pname, int param) => s_glPixelStorei(pname, param);

        /// <summary>glTexImage2D with no data: allocates the texture's storage.</summary>
        internal static void TexImage2D(uint target, int internalFormat, int width, int height, uint format, uint type) =>
            s_glTexImage2D(target, 0, internalFormat, width, height, 0, format, type, null);

        internal static void TexSubImage2D(uint target, int x, int y, int width, int height, uint format, uint type, ReadOnlySpan<byte> pixels)
        {
            fixed (byte* p = pixels)
            {
                s_glTexSubImage2D(target, 0, x, y, width, height, format, type, p);
            }
        }

        /// <summary>Makes the bound texture a view of the EGLImage (GL_OES_EGL_image).</summary>
        internal static void EGLImageTargetTexture2DOES(uint target, nint image) => s_glEGLImageTargetTexture2DOES(target, image);
    }
}
