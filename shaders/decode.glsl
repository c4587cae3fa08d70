// Shared by plane.frag and cursor.frag (inlined by ShaderSource.Load for #include).
//
// A plane's texture holds its bytes as the device laid them out: one texel per pixel
// (R8, RG8, RGB8 or RGBA8 by bytes per pixel) or, for packed 4:2:2 YUV, one RGBA8 texel per
// pixel pair. The decode below gives the same integers as the CPU converter
// (VfioPlanes/Pixels/PixelConverter): a channel wider than 8 bits keeps its top 8 bits, a
// narrower one repeats its bits, YUV is BT.601 limited range in integers.
precision highp float;
precision highp int;

struct Plane
{
    int yuv;          // 0: packed RGB in a little-endian word; 1: 4:2:2 YUV pairs
    ivec4 shift;      // packed: bit of R, G, B, A in the word
    ivec4 bits;       // packed: width of R, G, B, A (0: channel absent, reads 255)
    ivec4 order;      // yuv: byte of Y0, Y1, Cb, Cr in a pair
    ivec2 size;       // in pixels
    bool keep_alpha;  // false: alpha reads 255 (the primary plane is opaque)
};

uvec4 plane_bytes(highp sampler2D tex, ivec2 texel)
{
    return uvec4(round(texelFetch(tex, texel, 0) * 255.0));
}

uint widen(uint v, int bits)
{
    // Repeats the field's bits below itself from the top of a word and keeps the top 8: a
    // 5-bit v gives (v << 3) | (v >> 2), 2-bit v * 0x55, 8-bit v, 10-bit v >> 2. No loop, so
    // llvmpipe runs it without per-pixel control flow. Shifts stay below 32 (GLSL leaves
    // larger ones undefined); a shift of 31 only touches bit 0.
    uint x = v << uint(32 - bits);
    x |= x >> uint(bits);
    x |= x >> uint(min(2 * bits, 31));
    x |= x >> uint(min(4 * bits, 31));
    return bits == 0 ? 255u : x >> 24u;
}

uint field(uint word, int shift, int bits)
{
    return bits == 0 ? 0u : (word >> uint(shift)) & ((1u << uint(bits)) - 1u);
}

int clamp8(int v)
{
    return clamp(v, 0, 255);
}

uvec4 decode_yuv(highp sampler2D tex, Plane plane, ivec2 p)
{
    uvec4 b = plane_bytes(tex, ivec2(p.x >> 1, p.y));
    int y = int((p.x & 1) == 0 ? b[plane.order.x] : b[plane.order.y]);
    int c = 298 * (y - 16);
    int d = int(b[plane.order.z]) - 128;
    int e = int(b[plane.order.w]) - 128;
    // >> on a negative int extends the sign in GLSL ES 3.00 (5.9), a flooring shift as on the CPU.
    return uvec4(
        uint(clamp8((c + 409 * e + 128) >> 8)),
        uint(clamp8((c - 100 * d - 208 * e + 128) >> 8)),
        uint(clamp8((c + 516 * d + 128) >> 8)),
        255u);
}

uvec4 decode_packed(highp sampler2D tex, Plane plane, ivec2 p)
{
    uvec4 b = plane_bytes(tex, p);
    uint word = b.x | (b.y << 8) | (b.z << 16) | (b.w << 24);
    uint a = plane.keep_alpha ? widen(field(word, plane.shift.w, plane.bits.w), plane.bits.w) : 255u;
    return uvec4(
        widen(field(word, plane.shift.x, plane.bits.x), plane.bits.x),
        widen(field(word, plane.shift.y, plane.bits.y), plane.bits.y),
        widen(field(word, plane.shift.z, plane.bits.z), plane.bits.z),
        a);
}

// Formats whose channels are whole bytes (the 8888 orders, 24-bit RGB, C8): a byte's texel is
// already its value / 255, so the channel is picked with no integer work. The framebuffer
// stores round(value / 255 * 255), the same byte.
vec4 decode_bytes(highp sampler2D tex, Plane plane, ivec2 p)
{
    vec4 t = texelFetch(tex, p, 0);
    float a = plane.keep_alpha && plane.bits.w != 0 ? t[plane.shift.w >> 3] : 1.0;
    return vec4(t[plane.shift.x >> 3], t[plane.shift.y >> 3], t[plane.shift.z >> 3], a);
}

// Pixel p of the plane as RGBA integers 0..255. A program built for one family
// (DECODE_ONLY 1 packed, 2 YUV, 3 whole bytes: plane.frag calls decode_bytes) leaves the rest out: the primary plane covers every pixel
// of the target, and a software rasteriser pays for both sides of a branch.
#ifndef DECODE_ONLY
#define DECODE_ONLY 0
#endif
uvec4 decode_pixel(highp sampler2D tex, Plane plane, ivec2 p)
{
#if DECODE_ONLY == 1 || DECODE_ONLY == 3
    return decode_packed(tex, plane, p);
#elif DECODE_ONLY == 2
    return decode_yuv(tex, plane, p);
#else
    return plane.yuv == 1 ? decode_yuv(tex, plane, p) : decode_packed(tex, plane, p);
#endif
}

// The target pixel under this fragment, origin top left.
vec2 target_position(vec2 target, bool flip_y)
{
    return vec2(gl_FragCoord.x, flip_y ? target.y - gl_FragCoord.y : gl_FragCoord.y);
}

// The plane pixel shown at target position pos by a plane drawn into rect (x, y, w, h);
// 1:1 when w, h equal the plane's size. Returns false outside the plane.
bool plane_pixel(vec2 pos, vec4 rect, ivec2 size, out ivec2 p)
{
    p = ivec2(floor((pos - rect.xy) * vec2(size) / rect.zw));
    return p.x >= 0 && p.y >= 0 && p.x < size.x && p.y < size.y;
}
