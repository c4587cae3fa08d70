#!/usr/bin/env bash
# ImageMagick, the independent PNG decoder the PNG tests compare against. A machine may carry a
# stand-in `convert` in /usr/local/bin that only prints a PNG as PPM; the tests call the real
# /usr/bin/convert and identify, so the Debian package itself must be installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh
need_pkgs imagemagick
