using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // zlib.h: uLong crc32(uLong crc, const Bytef *buf, uInt len). uLong is unsigned long,
        // 64 bits on x86-64 Linux; the CRC lives in its low 32 bits. The PNG CRC (ISO 3309,
        // polynomial 0xEDB88320 reflected, pre- and post-inverted) is exactly this function.
        [LibraryImport(Libraries.Z, EntryPoint = "crc32")]
        private static unsafe partial nuint Crc32Raw(nuint crc, byte* buf, uint len);

        /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
        internal static unsafe uint Crc32(uint crc, ReadOnlySpan<byte> data)
        {
            // An empty span pins to NULL, and crc32(crc, Z_NULL, 0) returns the initial value
            // (0) rather than crc: keep the running value instead.
            if (data.IsEmpty)
            {
                return crc;
            }

            fixed (byte* p = data)
            {
                return (uint)Crc32Raw(crc, p, (uint)data.Length);
            }
        }
    }
}
