#!/usr/bin/env bash
# The window tests: an X server without a screen (Xvfb), GLFW 3 (libglfw.so.3, whose EGL context
# API gives the window an EGL display), xdotool to find the window and send it keys, and
# ImageMagick's import to screenshot the X screen.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh
need_pkgs xvfb libglfw3 xdotool imagemagick
