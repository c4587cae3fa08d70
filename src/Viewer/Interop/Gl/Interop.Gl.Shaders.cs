using System.Text;

internal static partial class Interop
{
    internal static unsafe partial class Gl
    {
        internal const uint GL_VERTEX_SHADER = 0x8B31;
        internal const uint GL_FRAGMENT_SHADER = 0x8B30;
        internal const uint GL_COMPILE_STATUS = 0x8B81;
        internal const uint GL_LINK_STATUS = 0x8B82;
        internal const uint GL_INFO_LOG_LENGTH = 0x8B84;
        internal const uint GL_TRIANGLE_STRIP = 0x0005;

        private static delegate* unmanaged<uint, uint> s_glCreateShader;
        private static delegate* unmanaged<uint, int, byte**, int*, void> s_glShaderSource;
        private static delegate* unmanaged<uint, void> s_glCompileShader;
        private static delegate* unmanaged<uint, uint, int*, void> s_glGetShaderiv;
        private static delegate* unmanaged<uint, int, int*, byte*, void> s_glGetShaderInfoLog;
        private static delegate* unmanaged<uint, void> s_glDeleteShader;
        private static delegate* unmanaged<uint> s_glCreateProgram;
        private static delegate* unmanaged<uint, uint, void> s_glAttachShader;
        private static delegate* unmanaged<uint, void> s_glLinkProgram;
        private static delegate* unmanaged<uint, uint, int*, void> s_glGetProgramiv;
        private static delegate* unmanaged<uint, int, int*, byte*, void> s_glGetProgramInfoLog;
        private static delegate* unmanaged<uint, void> s_glDeleteProgram;
        private static delegate* unmanaged<uint, void> s_glUseProgram;
        private static delegate* unmanaged<uint, byte*, int> s_glGetUniformLocation;
        private static delegate* unmanaged<int, int, void> s_glUniform1i;
        private static delegate* unmanaged<int, int, int, void> s_glUniform2i;
        private static delegate* unmanaged<int, int, int, int, int, void> s_glUniform4i;
        private static delegate* unmanaged<int, float, float, void> s_glUniform2f;
        private static delegate* unmanaged<int, float, float, float, float, void> s_glUniform4f;
        private static delegate* unmanaged<int, uint*, void> s_glGenVertexArrays;
        private static delegate* unmanaged<int, uint*, void> s_glDeleteVertexArrays;
        private static delegate* unmanaged<uint, void> s_glBindVertexArray;

        private static void LoadShaders()
        {
            s_glCreateShader = (delegate* unmanaged<uint, uint>)Required("glCreateShader");
            s_glShaderSource = (delegate* unmanaged<uint, int, byte**, int*, void>)Required("glShaderSource");
            s_glCompileShader = (delegate* unmanaged<uint, void>)Required("glCompileShader");
            s_glGetShaderiv = (delegate* unmanaged<uint, uint, int*, void>)Required("glGetShaderiv");
            s_glGetShaderInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Required("glGetShaderInfoLog");
            s_glDeleteShader = (delegate* unmanaged<uint, void>)Required("glDeleteShader");
            s_glCreateProgram = (delegate* unmanaged<uint>)Required("glCreateProgram");
            s_glAttachShader = (delegate* unmanaged<uint, uint, void>)Required("glAttachShader");
            s_glLinkProgram = (delegate* unmanaged<uint, void>)Required("glLinkProgram");
            s_glGetProgramiv = (delegate* unmanaged<uint, uint, int*, void>)Required("glGetProgramiv");
            s_glGetProgramInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Required("glGetProgramInfoLog");
            s_glDeleteProgram = (delegate* unmanaged<uint, void>)Required("glDeleteProgram");
            s_glUseProgram = (delegate* unmanaged<uint, void>)Required("glUseProgram");
            s_glGetUniformLocation = (delegate* unmanaged<uint, byte*, int>)Required("glGetUniformLocation");
            s_glUniform1i = (delegate* unmanaged<int, int, void>)Required("glUniform1i");
            s_glUniform2i = (delegate* unmanaged<int, int, int, void>)Required("glUniform2i");
            s_glUniform4i = (delegate* unmanaged<int, int, int, int, int, void>)Required("glUniform4i");
            s_glUniform2f = (delegate* unmanaged<int, float, float, void>)Required("glUniform2f");
            s_glUniform4f = (delegate* unmanaged<int, float, float, float, float, void>)Required("glUniform4f");
            s_glGenVertexArrays = (delegate* unmanaged<int, uint*, void>)Required("glGenVertexArrays");
            s_glDeleteVertexArrays = (delegate* unmanaged<int, uint*, void>)Required("glDeleteVertexArrays");
            s_glBindVertexArray = (delegate* unmanaged<uint, void>)Required("glBindVertexArray");
        }

        internal static uint CreateShader(uint type) => s_glCreateShader(type);

        internal static void ShaderSource(uint shader, string source)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(source);
            fixed (byte* s = utf8)
            {
                byte* strings = s;
                int length = utf8.Length;
                s_glShaderSource(shader, 1, &strings, &length);
            }
        }

        internal static void CompileShader(uint shader) => s_glCompileShader(shader);

        internal static int GetShaderi(uint shader, uint pname)
        {
            int value;
            s_glGetShaderiv(shader, pname, &value);
            return value;
        }

        internal static string GetShaderInfoLog(uint shader)
        {
            int length = GetShaderi(shader, GL_INFO_LOG_LENGTH);
            byte[] log = new byte[Math.Max(length, 1)];
            int written;
            fixed (byte* l = log)
            {
                s_glGetShaderInfoLog(shader, log.Length, &written, l);
            }

            return Encoding.UTF8.GetString(log, 0, Math.Max(written, 0)).Trim();
        }

        internal static void DeleteShader(uint shader) => s_glDeleteShader(shader);

        internal static uint CreateProgram() => s_glCreateProgram();

        internal static void AttachShader(uint program, uint shader) => s_glAttachShader(program, shader);

        internal static void LinkProgram(uint program) => s_glLinkProgram(program);

        internal static int GetProgrami(uint program, uint pname)
        {
            int value;
            s_glGetProgramiv(program, pname, &value);
            return value;
        }

        internal static string GetProgramInfoLog(uint program)
        {
            int length = GetProgrami(program, GL_INFO_LOG_LENGTH);
            byte[] log = new byte[Math.Max(length, 1)];
            int written;
            fixed (byte* l = log)
            {
                s_glGetProgramInfoLog(program, log.Length, &written, l);
            }

            return Encoding.UTF8.GetString(log, 0, Math.Max(written, 0)).Trim();
        }

        internal static void DeleteProgram(uint program) => s_glDeleteProgram(program);

        internal static void UseProgram(uint program) => s_glUseProgram(program);

        internal static int GetUniformLocation(uint program, string name)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(name + "\0");
            fixed (byte* n = utf8)
            {
                return s_glGetUniformLocation(program, n);
            }
        }

        internal static void Uniform1i(int location, int v) => s_glUniform1i(location, v);

        internal static void Uniform2i(int location, int x, int y) => s_glUniform2i(location, x, y);

        internal static void Uniform4i(int location, int x, int y, int z, int w) => s_glUniform4i(location, x, y, z, w);

        internal static void Uniform2f(int location, float x, float y) => s_glUniform2f(location, x, y);

        internal static void Uniform4f(int location, float x, float y, float z, float w) => s_glUniform4f(location, x, y, z, w);

        internal static uint GenVertexArray()
        {
            uint v;
            s_glGenVertexArrays(1, &v);
            return v;
        }

        internal static void DeleteVertexArray(uint array) => s_glDeleteVertexArrays(1, &array);

        internal static void BindVertexArray(uint array) => s_glBindVertexArray(array);
    }
}
