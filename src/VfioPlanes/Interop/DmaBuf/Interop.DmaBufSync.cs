using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>linux/dma-buf.h</summary>
    internal static partial class DmaBuf
    {
        internal const ulong DMA_BUF_SYNC_READ = 1 << 0;
        internal const ulong DMA_BUF_SYNC_WRITE = 2 << 0;
        internal const ulong DMA_BUF_SYNC_RW = DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE;
        internal const ulong DMA_BUF_SYNC_START = 0 << 2;
        internal const ulong DMA_BUF_SYNC_END = 1 << 2;

        // _IOW('b', 0, struct dma_buf_sync): dir write (1) << 30 | size 8 << 16 | 'b' << 8 | 0
        internal const uint DMA_BUF_IOCTL_SYNC = 0x40086200;

        // linux/dma-buf.h: struct dma_buf_sync (8 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct dma_buf_sync
        {
            public ulong flags;  // __u64: DMA_BUF_SYNC_*
        }
    }

    /// <summary>linux/udmabuf.h: turns memfd pages into a real dma-buf.</summary>
    internal static partial class Udmabuf
    {
        internal const uint UDMABUF_FLAGS_CLOEXEC = 0x01;

        // _IOW('u', 0x42, struct udmabuf_create): 1 << 30 | 24 << 16 | 'u' << 8 | 0x42
        internal const uint UDMABUF_CREATE = 0x40187542;

        // linux/udmabuf.h: struct udmabuf_create (24 bytes)
        [StructLayout(LayoutKind.Sequential)]
        internal struct udmabuf_create
        {
            public uint memfd;   // __u32
            public uint flags;   // __u32: UDMABUF_FLAGS_*
            public ulong offset; // __u64: page aligned
            public ulong size;   // __u64: page aligned
        }
    }
}
