#version 300 es
#include "decode.glsl"

// The cursor over the primary plane, non-premultiplied "over" in integers as the CPU
// compositor does it (VfioPlanes/Pixels/CursorBlender): out = (src * a + dst * (255 - a) + 127) / 255.
// Fixed-function blending rounds in the driver's own way, so the primary's pixel under the
// cursor is decoded again here and the blend done exactly.
uniform highp sampler2D u_primary_tex;
uniform Plane u_primary;
uniform vec4 u_primary_rect;
uniform bool u_has_primary;
uniform highp sampler2D u_tex;
uniform Plane u_plane;
uniform vec2 u_target;
uniform vec4 u_rect;
uniform bool u_flip_y;

out vec4 o_color;

void main()
{
    vec2 pos = target_position(u_target, u_flip_y);
    ivec2 cp;
    if (!plane_pixel(pos, u_rect, u_plane.size, cp))
    {
        discard;
    }

    uvec4 dst = uvec4(0u, 0u, 0u, 255u);
    ivec2 pp;
    if (u_has_primary && plane_pixel(pos, u_primary_rect, u_primary.size, pp))
    {
        dst = decode_pixel(u_primary_tex, u_primary, pp);
    }

    uvec4 src = decode_pixel(u_tex, u_plane, cp);
    uint a = src.a;
    uvec3 rgb = (src.rgb * a + dst.rgb * (255u - a) + 127u) / 255u;
    o_color = vec4(vec4(rgb, dst.a) / 255.0);
}
