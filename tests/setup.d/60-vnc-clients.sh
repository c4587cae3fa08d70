#!/usr/bin/env bash
# The real-client tests of `vgpuview serve` (tests/Viewer.Tests/Serve/RealClients): gtk-vnc's
# gvnccapture (package gvncviewer) as a native VNC client, Debian's noVNC (files in
# /usr/share/novnc) in headless Chromium driven through its DevTools protocol, and ImageMagick to
# decode the PNGs. libnss-wrapper gives gvnccapture a home of the test's own, where gtk-vnc finds
# the test's CA (it looks the home up with getpwuid, not $HOME). `script` (bsdutils, essential)
# gives gvnccapture the terminal it reads a password from.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh
need_pkgs gvncviewer libnss-wrapper novnc chromium imagemagick
