using VgpuView.Tests.Shared;
using VgpuView.VfioPlanes.Formats;
using VgpuView.VfioPlanes.Planes;
using VgpuView.Viewer.Rendering;

using Xunit;

namespace VgpuView.Viewer.Tests.Rendering;

/// <summary>GL tests share one EGL display per process; they run one at a time.</summary>
[CollectionDefinition("gl", DisableParallelization = true)]
public sealed class GlCollection
{
}

internal static class GlTestSupport
{
    private static readonly Lazy<string?> s_eglProblem = new(() =>
    {
        try
        {
            using var gpu = new GpuCompositor(TextWriter.Null);
            return null;
        }
        catch (Exception e) when (e is EglException or DllNotFoundException or EntryPointNotFoundException or GlException)
        {
            return e.Message;
        }
    });

    public static readonly uint[] AllFormats =
    [
        DrmFourcc.C8, DrmFourcc.RGB565, DrmFourcc.BGR565, DrmFourcc.RGB888, DrmFourcc.BGR888,
        DrmFourcc.XRGB8888, DrmFourcc.XBGR8888, DrmFourcc.RGBX8888, DrmFourcc.BGRX8888,
        DrmFourcc.ARGB8888, DrmFourcc.ABGR8888, DrmFourcc.XRGB2101010, DrmFourcc.XBGR2101010,
        DrmFourcc.ARGB2101010, DrmFourcc.ABGR2101010, DrmFourcc.YUYV, DrmFourcc.YVYU, DrmFourcc.UYVY, DrmFourcc.VYUY,
    ];

    /// <summary>Skips (fails under CI) where no headless EGL display with GLES 3 comes up.</summary>
    public static void RequireEgl() =>
        Requires.That(s_eglProblem.Value is null, $"a headless EGL display with GLES 3 (libegl1, libgles2, libegl-mesa0): {s_eglProblem.Value}");

    public static int BytesPerPixel(uint fourcc)
    {
        Assert.True(FormatTable.TryGet(fourcc, out FormatInfo info));
        return info.BytesPerPixel;
    }

    /// <summary>A plane of <paramref name="fourcc"/> with a stride padded past its row, and deterministic bytes.</summary>
    public static (PlaneInfo Plane, byte[] Bytes) MakePlane(uint fourcc, int width, int height, int seed, PlaneType type = PlaneType.Primary, uint id = 1)
    {
        int rowBytes = fourcc is DrmFourcc.YUYV or DrmFourcc.YVYU or DrmFourcc.UYVY or DrmFourcc.VYUY
            ? ((width + 1) / 2) * 4
            : width * BytesPerPixel(fourcc);
        int stride = rowBytes + 12;
        byte[] bytes = new byte[stride * height];
        var random = new Random(seed);
        random.NextBytes(bytes);
        var plane = new PlaneInfo
        {
            Plane = type,
            Kind = PlaneBufferKind.DmaBuf,
            Fourcc = fourcc,
            Modifier = DrmModifier.Linear,
            Width = (uint)width,
            Height = (uint)height,
            Stride = (uint)stride,
            Size = (uint)bytes.Length,
            Id = id,
        };
        return (plane, bytes);
    }

    /// <summary>What the frame path does before each draw: a texture that is not an import gets the plane's bytes.</summary>
    public static void UploadUnlessImported(PlaneTexture texture, ReadOnlySpan<byte> bytes)
    {
        if (texture.Path == PlanePath.Upload)
        {
            texture.Upload(bytes);
        }
    }

    public static byte[] Read(GpuCompositor gpu)
    {
        byte[] rgba = new byte[gpu.Width * gpu.Height * 4];
        gpu.ReadPixels(rgba);
        return rgba;
    }

    /// <summary>Asserts equal images, naming the first pixel that differs.</summary>
    public static void AssertSameImage(byte[] expected, byte[] actual, int width, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i += 4)
        {
            if (!expected.AsSpan(i, 4).SequenceEqual(actual.AsSpan(i, 4)))
            {
                int p = i / 4;
                Assert.Fail($"{what}: pixel ({p % width}, {p / width}) expected {Convert.ToHexString(expected, i, 4)}, got {Convert.ToHexString(actual, i, 4)}");
            }
        }
    }
}
