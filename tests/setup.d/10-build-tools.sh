#!/usr/bin/env bash
# gcc and the kernel's uapi headers for the ABI test. Debian 12's linux-libc-dev (6.1) lacks
# linux/iommufd.h, so the 6.12 headers from bookworm-backports are unpacked into .cache/
# (the system's own headers are left alone) and the ABI test compiles against both.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh
need_pkgs gcc libc6-dev linux-libc-dev
