namespace VgpuView.VfioPlanes.Formats;

/// <summary>
/// Where a DRM format modifier puts each byte of a plane: the tile's size, the order of bytes
/// inside it, and from these the stride and bytes a plane needs. Linear is a tile of one byte.
/// </summary>
/// <remarks>
/// <para>The Intel tilings, as drm_fourcc.h and the i915 documentation describe them: every tile is
/// one 4 KiB page, and tiles lie row-major across the stride (the stride is a whole number of
/// tile widths; a row of tiles takes stride × tile rows bytes).</para>
/// <para>I915_FORMAT_MOD_X_TILED: 512 bytes by 8 rows; inside, each 512-byte row is contiguous,
/// rows one after another.</para>
/// <para>I915_FORMAT_MOD_Y_TILED: 128 bytes by 32 rows, made of eight 16-byte-wide columns (OWords);
/// inside, each column's 32 rows are contiguous (512 bytes), columns one after another, so byte
/// (x, y) of a tile is at (x / 16) × 512 + y × 16 + x % 16.</para>
/// <para>I915_FORMAT_MOD_Yf_TILED: 4 KiB tiles whose width depends on the pixel size (i915's tile
/// width for Yf: 64 bytes at 1 byte a pixel, 128 at 2 and 4); the bytes inside are a nest of
/// 256- and 64-byte blocks this program does not undo on the CPU (<see cref="CpuDetiles"/> is false),
/// but sizes and strides are checked all the same.</para>
/// </remarks>
public readonly record struct TileLayout
{
    /// <summary>Every Intel tile is one 4 KiB page.</summary>
    public const int PageBytes = 4096;

    /// <summary>I915 X tile: 512 bytes by 8 rows, each row contiguous.</summary>
    public static readonly TileLayout I915X = new(DrmModifier.I915XTiled, 512, 8, 512, cpuDetiles: true);

    /// <summary>I915 Y tile: 128 bytes by 32 rows in 16-byte columns of 32 rows each.</summary>
    public static readonly TileLayout I915Y = new(DrmModifier.I915YTiled, 128, 32, 16, cpuDetiles: true);

    /// <summary>A linear plane: rows of any width, <c>stride</c> bytes apart.</summary>
    public static readonly TileLayout Linear = new(DrmModifier.Linear, 1, 1, 1, cpuDetiles: true);

    private TileLayout(ulong modifier, int widthBytes, int rows, int columnBytes, bool cpuDetiles)
    {
        Modifier = modifier;
        WidthBytes = widthBytes;
        Rows = rows;
        ColumnBytes = columnBytes;
        CpuDetiles = cpuDetiles;
    }

    public ulong Modifier { get; }

    /// <summary>Bytes of one row of a tile (1 for linear): a tiled stride is a multiple of it.</summary>
    public int WidthBytes { get; }

    /// <summary>Rows of a tile (1 for linear): a tiled buffer holds whole rows of tiles.</summary>
    public int Rows { get; }

    /// <summary>
    /// Bytes of a tile row that lie contiguously in memory: the whole tile row for X, one 16-byte
    /// column for Y. A column's <see cref="Rows"/> pieces are contiguous too, <see cref="ColumnBytes"/> apart.
    /// </summary>
    public int ColumnBytes { get; }

    /// <summary>Whether the byte order inside the tile is one <see cref="ByteOffset"/> knows (not Yf).</summary>
    public bool CpuDetiles { get; }

    public bool IsLinear => Modifier == DrmModifier.Linear;

    /// <summary>Bytes of one tile: 4096 for the Intel tilings, 1 for linear.</summary>
    public int TileBytes => WidthBytes * Rows;

    /// <summary>Bytes of one column of a tile, all its rows: 512 for Y, the whole tile for X.</summary>
    public int ColumnRunBytes => ColumnBytes * Rows;

    /// <summary>"LINEAR, I915_X_TILED, I915_Y_TILED and I915_Yf_TILED": the modifiers <see cref="TryGet"/> knows, for messages.</summary>
    public static string KnownNames => "LINEAR, I915_X_TILED, I915_Y_TILED and I915_Yf_TILED";

    /// <summary>
    /// The layout of <paramref name="modifier"/> for pixels of <paramref name="bytesPerPixel"/>
    /// bytes (which matters only for Yf); false for a modifier this program does not know.
    /// </summary>
    public static bool TryGet(ulong modifier, int bytesPerPixel, out TileLayout layout)
    {
        switch (modifier)
        {
            case DrmModifier.Linear:
                layout = Linear;
                return true;
            case DrmModifier.I915XTiled:
                layout = I915X;
                return true;
            case DrmModifier.I915YTiled:
                layout = I915Y;
                return true;
            case DrmModifier.I915YfTiled:
                // i915 (intel_tile_width_bytes): Yf is 64 bytes wide at 1 byte a pixel, 128 at 2 and 4.
                int width = bytesPerPixel == 1 ? 64 : 128;
                layout = new TileLayout(modifier, width, PageBytes / width, width, cpuDetiles: false);
                return true;
            default:
                layout = default;
                return false;
        }
    }

    /// <summary>
    /// Where byte <paramref name="xByte"/> of row <paramref name="y"/> lies in a plane of
    /// <paramref name="stride"/> bytes a row: the tile, counted row-major across the stride, then the
    /// column within the tile, the row within the column and the byte within the row.
    /// </summary>
    /// <exception cref="InvalidOperationException">The byte order inside this tile is not known (Yf).</exception>
    public long ByteOffset(long stride, int xByte, int y)
    {
        if (!CpuDetiles)
        {
            throw new InvalidOperationException($"the byte order inside a {DrmModifier.ToText(Modifier)} tile is not undone on the CPU");
        }

        long tile = ((long)(y / Rows) * (stride / WidthBytes)) + (xByte / WidthBytes);
        int inTile = xByte % WidthBytes;
        return (tile * TileBytes) + ((long)(inTile / ColumnBytes) * ColumnRunBytes) + ((long)(y % Rows) * ColumnBytes) + (inTile % ColumnBytes);
    }

    /// <summary><paramref name="height"/> rounded up to whole rows of tiles.</summary>
    public long PaddedRows(long height) => (height + Rows - 1) / Rows * Rows;

    /// <summary>The smallest stride holding <paramref name="rowBytes"/>: rounded up to whole tiles.</summary>
    public long StrideFor(long rowBytes) => (rowBytes + WidthBytes - 1) / WidthBytes * WidthBytes;

    /// <summary>
    /// The bytes a plane of <paramref name="height"/> rows, <paramref name="stride"/> apart, each
    /// <paramref name="rowBytes"/> long, reaches: up to the end of the last row when linear, whole
    /// rows of tiles when tiled (the device hands over whole tiles).
    /// </summary>
    public long RequiredBytes(long stride, long height, long rowBytes) => IsLinear
        ? (stride * (height - 1)) + rowBytes
        : stride * PaddedRows(height);

    /// <summary>Null when <paramref name="stride"/> is whole tiles; otherwise what is wrong, "stride 1000 is not a multiple of ...".</summary>
    public string? StrideProblem(long stride) => stride % WidthBytes == 0
        ? null
        : $"stride {stride} is not a multiple of the {WidthBytes}-byte tile width of {DrmModifier.ToText(Modifier)}";

    public override string ToString() =>
        IsLinear ? "LINEAR" : $"{DrmModifier.ToText(Modifier)} ({WidthBytes} bytes × {Rows} rows, {ColumnBytes}-byte columns)";
}
