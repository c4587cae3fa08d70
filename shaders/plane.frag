#version 300 es
#include "decode.glsl"

// The primary plane, shown opaque (alpha of X formats ignored, of A formats too: a monitor
// shows no alpha).
uniform highp sampler2D u_tex;
uniform Plane u_plane;
uniform vec2 u_target;
uniform vec4 u_rect;
uniform bool u_flip_y;

out vec4 o_color;

void main()
{
    ivec2 p;
    if (!plane_pixel(target_position(u_target, u_flip_y), u_rect, u_plane.size, p))
    {
        p = clamp(p, ivec2(0), u_plane.size - 1);
    }

#if DECODE_ONLY == 3
    o_color = decode_bytes(u_tex, u_plane, p);
#else
    o_color = vec4(decode_pixel(u_tex, u_plane, p)) / 255.0;
#endif
}
