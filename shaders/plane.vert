#version 300 es
// Covers one rectangle of the target with a four-vertex triangle strip; no vertex buffer.
// u_rect is x, y, width, height in target pixels with the origin at the top left.
// Without u_flip_y, target row 0 is GL row 0, so glReadPixels returns rows top first;
// a window's default framebuffer has row 0 at the bottom and sets u_flip_y.
uniform vec2 u_target;
uniform vec4 u_rect;
uniform bool u_flip_y;

void main()
{
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 px = u_rect.xy + corner * u_rect.zw;
    vec2 ndc = px / u_target * 2.0 - 1.0;
    if (u_flip_y)
    {
        ndc.y = -ndc.y;
    }

    gl_Position = vec4(ndc, 0.0, 1.0);
}
