using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VgpuView.VfioPlanes.Tests.Abi;

/// <summary>
/// The two sides of the ABI test: the "kind name value" lines tests/abi/abi.c prints, and the
/// same names read by reflection from the C# mirror. Keys are "size vfio_region_info",
/// "offset vfio_region_info.size" and "const VFIO_DEVICE_GET_INFO".
/// </summary>
internal static class AbiComparison
{
    /// <summary>The classes whose structs and constants mirror kernel or libc headers.</summary>
    internal static readonly Type[] MirrorTypes =
    [
        typeof(Interop.Vfio),
        typeof(Interop.Iommufd),
        typeof(Interop.DmaBuf),
        typeof(Interop.Udmabuf),
        typeof(Interop.Libc),
        typeof(Errno),
    ];

    /// <summary>
    /// Structs the project takes from Tmds.LibC instead of mirroring them, with the fields abi.c
    /// prints: those must sit where the header puts them, and the size must match. The library's
    /// other fields (newer or older than a header) are not compared.
    /// </summary>
    internal static readonly (Type Type, string Name, string[] Fields)[] LibraryStructs =
    [
        (typeof(Tmds.Linux.statx), "statx",
            ["stx_mask", "stx_blksize", "stx_attributes", "stx_nlink", "stx_uid", "stx_gid", "stx_mode", "__spare0", "stx_ino", "stx_size"]),
    ];

    /// <summary>C# constants that no uapi header defines, with the reason; abi.c cannot print them.</summary>
    internal static readonly IReadOnlyDictionary<string, string> NotInHeaders = new Dictionary<string, string>
    {
        ["const DRM_PLANE_TYPE_OVERLAY"] = "enum drm_plane_type is kernel-internal (include/drm/drm_plane.h)",
        ["const DRM_PLANE_TYPE_PRIMARY"] = "enum drm_plane_type is kernel-internal (include/drm/drm_plane.h)",
        ["const DRM_PLANE_TYPE_CURSOR"] = "enum drm_plane_type is kernel-internal (include/drm/drm_plane.h)",
        ["const VFIO_GFX_NO_HOTSPOT"] = "vfio.h documents 0xFFFFFFFF in a comment only",
    };

    /// <summary>
    /// Names the Debian 12 (6.1) headers do not have: the device cdev and iommufd (6.6), and
    /// padding that 6.1 leaves implicit and later headers name.
    /// </summary>
    internal static bool IsNewerThan61(string key)
    {
        string name = key[(key.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        return name.Contains("iommufd", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("iommu_", StringComparison.Ordinal)
            || name.StartsWith("IOMMU", StringComparison.Ordinal)
            || key is "offset vfio_device_info.pad" or "offset vfio_device_gfx_plane_info.reserved";
    }

    /// <summary>Parses abi.c's output; throws on a malformed or repeated line.</summary>
    internal static Dictionary<string, long> ParseNative(string output)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ');
            if (parts.Length != 3 || parts[0] is not ("size" or "offset" or "const")
                || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw new FormatException($"abi.c printed a malformed line: '{line}'");
            }

            if (!lines.TryAdd(parts[0] + " " + parts[1], value))
            {
                throw new FormatException($"abi.c printed '{parts[0]} {parts[1]}' twice");
            }
        }

        return lines;
    }

    /// <summary>Every struct size, field offset and constant of <see cref="MirrorTypes"/>, and the compared part of <see cref="LibraryStructs"/>.</summary>
    internal static Dictionary<string, long> CollectManaged()
    {
        var items = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((Type type, string name, string[] fields) in LibraryStructs)
        {
            Add(items, "size " + name, SizeOf(type));
            foreach (string field in fields)
            {
                Add(items, $"offset {name}.{field}", (long)Marshal.OffsetOf(type, field));
            }
        }

        foreach (Type owner in MirrorTypes)
        {
            foreach (Type t in owner.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (!t.IsValueType || t.IsEnum)
                {
                    continue;
                }

                Add(items, "size " + t.Name, SizeOf(t));
                foreach (FieldInfo f in t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
                {
                    Add(items, $"offset {t.Name}.{f.Name}", (long)Marshal.OffsetOf(t, f.Name));
                }
            }

            foreach (FieldInfo f in owner.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                // Private constants are spelling aids (Interop.Vfio.Base), not header names.
                if (!f.IsLiteral || f.IsPrivate)
                {
                    continue;
                }

                object raw = f.GetRawConstantValue()!;
                long value = raw is ulong u ? checked((long)u) : Convert.ToInt64(raw, CultureInfo.InvariantCulture);
                Add(items, "const " + f.Name, value);
            }
        }

        return items;
    }

    /// <summary>
    /// The differences between the two sides, one message each. With <paramref name="exact"/>
    /// (a header set as new as the mirror) every C# item must be printed and sizes must be
    /// equal; otherwise names the header lacks (<see cref="IsNewerThan61"/>) may be absent and a
    /// struct the header declares shorter may be longer in C# as long as every shared field
    /// has the same offset. Every printed line must have a C# counterpart.
    /// </summary>
    internal static List<string> Compare(IReadOnlyDictionary<string, long> native, IReadOnlyDictionary<string, long> managed, bool exact)
    {
        var problems = new List<string>();
        foreach ((string key, long value) in managed)
        {
            if (NotInHeaders.ContainsKey(key))
            {
                continue;
            }

            if (!native.TryGetValue(key, out long expected))
            {
                if (exact || !IsNewerThan61(key))
                {
                    problems.Add($"{key}: the C# mirror has {value}, tests/abi/abi.c does not print it (add it there)");
                }

                continue;
            }

            bool ok = key.StartsWith("size ", StringComparison.Ordinal) && !exact ? value >= expected : value == expected;
            if (!ok)
            {
                problems.Add($"{key}: header {expected}, C# {value}");
            }
        }

        foreach ((string key, long value) in native)
        {
            if (key != "const LINUX_VERSION_CODE" && !managed.ContainsKey(key))
            {
                problems.Add($"{key}: the header has {value}, the C# mirror has no such item");
            }
        }

        return problems;
    }

    private static void Add(Dictionary<string, long> items, string key, long value)
    {
        if (!items.TryAdd(key, value))
        {
            throw new InvalidOperationException($"two C# mirror items are named '{key}'");
        }
    }

    private static long SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;
}
