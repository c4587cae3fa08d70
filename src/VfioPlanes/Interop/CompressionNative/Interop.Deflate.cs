using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The zlib that .NET's own ZLibStream runs on (zlib-ng, built into the shared framework as
    /// libSystem.IO.Compression.Native), called directly: a deflate stream whose state is this
    /// struct on the caller's stack costs no managed object, where a ZLibStream is four.
    /// </summary>
    internal static partial class CompressionNative
    {
        // zlib.h flush values and return codes; the runtime's pal_zlib.h asserts them equal.
        internal const int Z_NO_FLUSH = 0;
        internal const int Z_SYNC_FLUSH = 2;
        internal const int Z_FINISH = 4;
        internal const int Z_OK = 0;
        internal const int Z_STREAM_END = 1;
        internal const int Z_BUF_ERROR = -5;

        // zlib.h: the one compression method, and windowBits 15 (a 32 KiB window, zlib header
        // and Adler-32 trailer) with memLevel 8, as ZLibStream opens its deflater.
        internal const int Z_DEFLATED = 8;
        internal const int ZlibWindowBits = 15;
        internal const int DefaultMemLevel = 8;

        // pal_zlib.h: struct PAL_ZStream, the fields zlib's z_stream shares with the caller; the
        // z_stream itself lives behind internalState, allocated by DeflateInit2_.
        [StructLayout(LayoutKind.Sequential)]
        internal struct PAL_ZStream
        {
            public nint nextIn;        // uint8_t*: next input byte
            public nint nextOut;       // uint8_t*: where the next output byte goes
            public nint msg;           // char*: last error message, NULL if none
            public nint internalState; // void*: the z_stream, not for the caller
            public uint availIn;       // uint32_t: bytes available at nextIn
            public uint availOut;      // uint32_t: free space at nextOut
        }

        [LibraryImport(Libraries.CompressionNative, EntryPoint = "CompressionNative_DeflateInit2_")]
        internal static partial int DeflateInit2_(ref PAL_ZStream stream, int level, int method, int windowBits, int memLevel, int strategy);

        [LibraryImport(Libraries.CompressionNative, EntryPoint = "CompressionNative_Deflate")]
        private static partial int DeflateRaw(ref PAL_ZStream stream, int flush);

        [LibraryImport(Libraries.CompressionNative, EntryPoint = "CompressionNative_DeflateEnd")]
        internal static partial int DeflateEnd(ref PAL_ZStream stream);

        /// <summary>
        /// deflate() from <paramref name="input"/> into <paramref name="output"/>; the spans are
        /// pinned for the call only, which is all zlib needs (it copies pending input into its window).
        /// </summary>
        internal static unsafe int Deflate(ref PAL_ZStream stream, ReadOnlySpan<byte> input, Span<byte> output, int flush, out int consumed, out int produced)
        {
            fixed (byte* i = input)
            fixed (byte* o = output)
            {
                stream.nextIn = (nint)i;
                stream.availIn = (uint)input.Length;
                stream.nextOut = (nint)o;
                stream.availOut = (uint)output.Length;
                int result = DeflateRaw(ref stream, flush);
                consumed = input.Length - (int)stream.availIn;
                produced = output.Length - (int)stream.availOut;
                stream.nextIn = 0;
                stream.nextOut = 0;
                return result;
            }
        }
    }
}
