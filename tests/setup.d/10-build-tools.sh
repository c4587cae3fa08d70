#!/usr/bin/env bash
# gcc and the kernel's uapi headers for the ABI test. Debian 12's linux-libc-dev (6.1) lacks
# linux/iommufd.h, so the 6.12 headers from bookworm-backports are unpacked into .cache/
# (the system's own headers are left alone) and the ABI test compiles against both.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/setup.d/lib.sh
need_pkgs gcc libc6-dev linux-libc-dev

uapi=.cache/uapi-6.12
if [ ! -f "$uapi/usr/include/linux/iommufd.h" ]; then
  # apt-get download fetches the .deb only; dpkg -x unpacks it without installing, so the
  # system's /usr/include stays the 6.1 set the ABI test also checks.
  if ! apt-cache policy linux-libc-dev | grep -q 'bookworm-backports'; then
    apt_update_once
  fi
  mkdir -p .cache/debs
  rm -f .cache/debs/linux-libc-dev_*.deb
  # As root, apt would drop to its _apt user, which cannot write into the work tree.
  (cd .cache/debs && apt-get download -qq -o APT::Sandbox::User=root linux-libc-dev/bookworm-backports)
  deb=$(ls .cache/debs/linux-libc-dev_*.deb)
  case "$deb" in
    *_6.12.*) ;;
    *) echo "10-build-tools: expected linux-libc-dev 6.12 from bookworm-backports, got $deb" >&2; exit 1 ;;
  esac
  rm -rf "$uapi.tmp"
  dpkg -x "$deb" "$uapi.tmp"
  rm -rf "$uapi"
  mv "$uapi.tmp" "$uapi"
fi
