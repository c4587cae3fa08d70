#!/usr/bin/env bash
# Builds the "6.12-iommufd" guest kernel of the harness once per machine: linux-source-6.12
# configured as `make allnoconfig` + tests/kernel/iommufd.config, and caches its bzImage
# outside the clone, in $VGPUVIEW_KERNEL_CACHE (default
# /var/cache/vgpuview-kernel)/<key>/, where <key> hashes the fragment and the version of
# linux-source-6.12. A second run finds it there and builds nothing.
#
#   tests/kernel/build-kernel.sh           prints the directory holding bzImage and config
#   tests/kernel/build-kernel.sh --cached  the same when it is built already, else exit 3
#
# The build runs under `nice -n 19 make -j2` (the machine is shared); its wall time goes
# into <key>/build-seconds. Exit code 1 on failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
fragment="$repo/tests/kernel/iommufd.config"
. "$repo/tests/setup.d/lib.sh"

if [ "${1:-}" != --cached ]; then
  need_pkgs linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev xz-utils >&2
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ -n "$srcver" ] || { [ "${1:-}" = --cached ] && exit 3; echo "build-kernel: linux-source-6.12 is not installed" >&2; exit 1; }
key=$( { cat "$fragment"; echo "linux-source-6.12 $srcver"; } | sha256sum | cut -c1-16)
cache=${VGPUVIEW_KERNEL_CACHE:-/var/cache/vgpuview-kernel}
out="$cache/$key"
if [ -f "$out/bzImage" ]; then
  echo "$out"
  exit 0
fi
if [ "${1:-}" = --cached ]; then
  exit 3
fi

mkdir -p "$cache"
# The unpacked tree stays, next to the kernels, so that a changed fragment rebuilds only
# what it changes (about 1.5 GB).
tree="$cache/linux-source-6.12-$srcver"
log="$cache/build-$key.log"
echo "build-kernel: building linux-source-6.12 $srcver with $(basename "$fragment") (log: $log)" >&2
start=$SECONDS
if [ ! -f "$tree/Makefile" ]; then
  rm -rf "$tree.tmp"
  mkdir -p "$tree.tmp"
  tar -xf /usr/src/linux-source-6.12.tar.xz -C "$tree.tmp" --strip-components=1
  mv "$tree.tmp" "$tree"
fi
cd "$tree"
{
  make ARCH=x86_64 allnoconfig
  scripts/kconfig/merge_config.sh -m .config "$fragment"
  make ARCH=x86_64 olddefconfig
} >"$log" 2>&1 || { tail -n 20 "$log" >&2; echo "build-kernel: configuring failed (log: $log)" >&2; exit 1; }

# merge_config.sh only warns when Kconfig drops a requested value: every line of the
# fragment must hold in the final .config.
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*)
      grep -qxF "$line" .config || { echo "build-kernel: $line did not hold: $(grep -E "^(# )?${line%%=*}[= ]" .config || echo "${line%%=*} absent")" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set")
      name=${line#\# }; name=${name%% *}
      if grep -qE "^$name=" .config; then echo "build-kernel: $name is still set" >&2; bad=1; fi ;;
  esac
done <"$fragment"
[ "$bad" -eq 0 ] || { echo "build-kernel: the fragment does not hold (log: $log)" >&2; exit 1; }

nice -n 19 make ARCH=x86_64 -j2 bzImage >>"$log" 2>&1 \
  || { grep -E 'error|Error' "$log" | tail -n 20 >&2; echo "build-kernel: make bzImage failed (log: $log)" >&2; exit 1; }
seconds=$((SECONDS - start))

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp arch/x86/boot/bzImage .config "$out.tmp/"
echo "$seconds" >"$out.tmp/build-seconds"
echo "$srcver" >"$out.tmp/source-version"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "build-kernel: built in ${seconds} s" >&2
echo "$out"
