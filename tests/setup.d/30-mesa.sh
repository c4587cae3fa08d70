#!/usr/bin/env bash
# EGL/GLES for the GL renderer tests.
#
# The system's Mesa (bookworm, 22.3) is installed as usual: it is what the upload path is tested
# on, because its surfaceless display offers no EGL_EXT_image_dma_buf_import.
#
# Mesa 25 from bookworm-backports offers dma-buf import (and _modifiers) on the surfaceless and
# device displays and imports a memfd as a live view. It is NOT installed over the system's Mesa:
# its packages (and the libdrm it needs, newer than bookworm's) are unpacked into .cache/mesa25,
# and an EGL vendor file there points glvnd at its libEGL_mesa.so.0. The GL tests run the GPU
# work in a child process with the environment written to .cache/mesa25/env (see
# tests/Viewer.Tests/Rendering/GpuChild.cs), because glvnd reads its vendor list when
# libEGL.so.1 is first loaded and a running process cannot switch it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh

# Runtime of the system Mesa (and, through its dependencies, most of what Mesa 25 links against:
# libllvm15, libsensors5, libxcb-*, libwayland-*).
need_pkgs libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri libgbm1

dest=.cache/mesa25
version=25.0.7-2~bpo12+1
stamp="$dest/.complete-$version"
# The env and vendor files hold absolute paths: a checkout that moved unpacks again.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PWD" ]; then
  exit 0
fi

apt_update_once
rm -rf "$dest"
mkdir -p "$dest/debs" "$dest/root"
(
  cd "$dest/debs"
  # Mesa 25 pins its own parts to the same version; libdrm >= 2.4.121 is newer than bookworm's.
  apt-get download -qq -o APT::Sandbox::User=root -t bookworm-backports \
    "libegl-mesa0=$version" "libgl1-mesa-dri=$version" "mesa-libgallium=$version" "libgbm1=$version" \
    libdrm2 libdrm-common libdrm-amdgpu1 libdrm-intel1
)
for deb in "$dest"/debs/*.deb; do
  dpkg -x "$deb" "$dest/root"
done

lib="$PWD/$dest/root/usr/lib/x86_64-linux-gnu"
test -f "$lib/libEGL_mesa.so.0" || { echo "30-mesa.sh: libEGL_mesa.so.0 missing after unpacking" >&2; exit 1; }

# glvnd vendor file (the format of /usr/share/glvnd/egl_vendor.d/50_mesa.json), with an absolute
# library path so glvnd loads this Mesa and not the system's.
cat > "$dest/50_mesa25.json" <<JSON
{
    "file_format_version" : "1.0.0",
    "ICD" : {
        "library_path" : "$lib/libEGL_mesa.so.0"
    }
}
JSON

# KEY=VALUE lines, read by the tests and usable with `env $(cat .cache/mesa25/env) ...`.
cat > "$dest/env" <<ENV
__EGL_VENDOR_LIBRARY_FILENAMES=$PWD/$dest/50_mesa25.json
LD_LIBRARY_PATH=$lib
LIBGL_DRIVERS_PATH=$lib/dri
GBM_BACKENDS_PATH=$lib/gbm
ENV
rm -rf "$dest/debs"
echo "$PWD" > "$stamp"
