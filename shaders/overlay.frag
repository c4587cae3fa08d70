#version 300 es
// The window's overlay, drawn over the scaled guest image with blending on: a translucent
// rectangle (u_text_mode false), or a grid of characters in the 8x8 bitmap font over a
// translucent background, in cells of 8x10 pixels (the glyph and two rows between lines). The grid is an R8 texture of character codes (code - 32), one texel
// per cell; the font is an R8 column of glyphs, glyph g at rows 8g..8g+7, top first.
precision highp float;
precision highp int;

uniform vec2 u_target;
uniform vec4 u_rect;
uniform bool u_text_mode;
uniform int u_scale;
uniform vec4 u_color;
uniform vec4 u_background;
uniform sampler2D u_text;
uniform sampler2D u_font;

out vec4 o_color;

void main()
{
    if (!u_text_mode)
    {
        o_color = u_color;
        return;
    }

    // gl_FragCoord has its origin at the bottom left; the rectangle is given from the top left.
    vec2 p = vec2(gl_FragCoord.x, u_target.y - gl_FragCoord.y) - u_rect.xy;
    // Cells are 8 pixels wide and 10 high: the glyph's 8 rows and 2 rows between lines.
    ivec2 pixel = ivec2(floor(p)) / u_scale;
    ivec2 cell = pixel / ivec2(8, 10);
    ivec2 inCell = pixel - cell * ivec2(8, 10);
    int glyph = int(texelFetch(u_text, cell, 0).r * 255.0 + 0.5);
    bool lit = inCell.y < 8 && texelFetch(u_font, ivec2(inCell.x, glyph * 8 + inCell.y), 0).r > 0.5;
    o_color = lit ? u_color : u_background;
}
