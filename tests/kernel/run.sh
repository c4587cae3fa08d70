#!/usr/bin/env bash
# The real-kernel harness: runs vgpuview against the Linux kernel's VFIO, mdev and its
# sample display drivers (mbochs: dma-buf planes, mdpy: region planes) inside a QEMU guest.
#
#   tests/kernel/run.sh            install what is missing, build, boot, check, report
#
# Steps (each prints "kernel: step NAME" so a failure names where it stopped):
#   install  qemu, Debian's kernel image and its headers, linux-source, busybox-static
#   modules  mbochs.ko and mdpy.ko built out of tree from samples/vfio-mdev of the
#            linux-source tarball (only that folder is extracted), cached under
#            .cache/kernel/<kernel version>/
#   build    vgpuview and the guest driver, on this host (the guest runs the host's
#            dotnet and these builds from the host's root, shared read-only over 9p)
#   initramfs busybox-static, the modules, tests/kernel/init.sh as /init
#   boot     QEMU (TCG) under a hard timeout; the guest runs tests/kernel/guest-checks.sh,
#            which prints "KTEST PASS|FAIL name" lines on the serial console and writes
#            files into a writable 9p share (.cache/kernel/results)
#   host     checks that need the guest's files on the host (sim:replay of a raw capture)
# The last line is "kernel: N passed, N failed"; the exit code is 0 only when nothing failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
boot_timeout=${KERNEL_BOOT_TIMEOUT:-420}
passed=0
failed=0

step() { echo "kernel: step $1 (at ${SECONDS} s)"; current_step=$1; }

# A failure outside the checks: one FAIL naming the step, the summary line, exit 1.
abort() {
  echo "KTEST FAIL harness.$current_step: $*"
  echo "kernel: $passed passed, $((failed + 1)) failed"
  exit 1
}
trap 'abort "command failed (line $LINENO)"' ERR

step install
. tests/setup.d/lib.sh
# The kernel image pulls in initramfs-tools, whose postinst builds an initrd we do not use;
# it is one-time cost of about 20 s.
need_pkgs qemu-system-x86 qemu-utils linux-image-amd64 busybox-static build-essential cpio kmod xz-utils \
  || abort "apt-get install failed"
# The newest installed Debian kernel image; the headers and source must match it.
kver=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
[ -n "$kver" ] || abort "no /boot/vmlinuz-*-amd64 after installing linux-image-amd64"
series=$(echo "$kver" | cut -d. -f1,2)
need_pkgs "linux-headers-$kver" "linux-source-$series" || abort "apt-get install linux-headers-$kver linux-source-$series failed"
[ -r "/boot/vmlinuz-$kver" ] || abort "/boot/vmlinuz-$kver is not readable"

cache="$repo/.cache/kernel/$kver"
mkdir -p "$cache"

step modules
if [ ! -f "$cache/modules/mbochs.ko" ] || [ ! -f "$cache/modules/mdpy.ko" ]; then
  src=$(mktemp -d)
  tarball=$(ls /usr/src/linux-source-"$series".tar.* | head -n1)
  # Only samples/vfio-mdev is needed; the rest of the tree is never unpacked.
  tar -xf "$tarball" -C "$src" --wildcards "linux-source-$series/samples/vfio-mdev/*"
  make -s -C "/lib/modules/$kver/build" M="$src/linux-source-$series/samples/vfio-mdev" \
    CONFIG_SAMPLE_VFIO_MDEV_MBOCHS=m CONFIG_SAMPLE_VFIO_MDEV_MDPY=m modules >"$cache/modules-build.log" 2>&1 \
    || { tail -n 30 "$cache/modules-build.log"; abort "building mbochs and mdpy failed (log: $cache/modules-build.log)"; }
  mkdir -p "$cache/modules.tmp"
  cp "$src/linux-source-$series/samples/vfio-mdev/"{mbochs,mdpy}.ko "$cache/modules.tmp/"
  rm -rf "$cache/modules" "$src"
  mv "$cache/modules.tmp" "$cache/modules"
fi

step build
build_log="$repo/.cache/kernel/build.log"
dotnet build src/Viewer -c Release -nologo -v q >"$build_log" 2>&1 \
  || { grep -E 'error|Error' "$build_log" | head -n 20; abort "dotnet build src/Viewer failed (log: $build_log)"; }
dotnet build tests/kernel/GuestDriver -c Release -nologo -v q >>"$build_log" 2>&1 \
  || { grep -E 'error|Error' "$build_log" | head -n 20; abort "dotnet build tests/kernel/GuestDriver failed (log: $build_log)"; }
vgpuview="$repo/src/Viewer/bin/Release/net10.0/vgpuview.dll"
guest="$repo/tests/kernel/GuestDriver/bin/Release/net10.0/VgpuView.KernelGuest.dll"
[ -f "$vgpuview" ] || abort "$vgpuview missing after the build"
[ -f "$guest" ] || abort "$guest missing after the build"

step initramfs
# The modules in load order (dependencies first): virtio transport and 9p for the shared
# root, then VFIO, mdev and the two sample drivers. Debian 6.1 ships them uncompressed;
# later kernels may compress them, and busybox's insmod does not decompress.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p vfio vfio_iommu_type1 mdev"
key=$(cat tests/kernel/init.sh "$cache/modules/"*.ko /bin/busybox | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$key.cpio.gz"
if [ ! -f "$initrd" ]; then
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,dev,proc,sys,host,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  for m in $modules; do
    path=$(modinfo -k "$kver" -n "$m") || abort "module $m not found for $kver"
    case "$path" in
      *.ko) cp "$path" "$root/lib/modules/$m.ko" ;;
      *.ko.xz) xz -dc "$path" >"$root/lib/modules/$m.ko" ;;
      *.ko.zst) zstd -qdc "$path" >"$root/lib/modules/$m.ko" ;;
      *) abort "module $m: unexpected file $path" ;;
    esac
  done
  cp "$cache/modules/mbochs.ko" "$cache/modules/mdpy.ko" "$root/lib/modules/"
  echo "$modules mbochs mdpy" >"$root/lib/modules/order"
  install -m 755 tests/kernel/init.sh "$root/init"
  rm -f "$cache"/initramfs-*.cpio.gz
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$initrd.tmp")
  mv "$initrd.tmp" "$initrd"
  rm -rf "$root"
fi

step boot
results="$repo/.cache/kernel/results"
rm -rf "$results"
mkdir -p "$results"
console="$repo/.cache/kernel/console.log"
# Unknown name=value words on the kernel command line reach /init as environment variables.
# oops=panic: a kernel crash ends the run at once (panic=-1 reboots, -no-reboot exits)
# instead of leaving a limping guest until the timeout; loglevel=5 keeps WARNINGs.
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=5 KREPO=$repo KVGPUVIEW=$vgpuview KGUEST=$guest"
set +e
trap - ERR
timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2048 \
  -nographic -no-reboot -nic none \
  -kernel "/boot/vmlinuz-$kver" -initrd "$initrd" -append "$append" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$repo",mount_tag=repo,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$results",mount_tag=results,security_model=none,multidevs=remap \
  </dev/null 2>&1 | tr -d "\r" | sed -u "s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g" | tee "$console" | grep --line-buffered -E '^(KTEST|KSTEP|KINFO)'
qemu_rc=${PIPESTATUS[0]}
set -e
trap 'abort "command failed (line $LINENO)"' ERR

# The first sign of trouble in the guest kernel, reported with the step it happened in.
bug_at=$(grep -n -m1 -E "(BUG:|Oops|WARNING:|Kernel panic|general protection fault)" "$console" | cut -d: -f1 || true)
if [ -n "$bug_at" ]; then
  kernel_bug=$(sed -n "${bug_at}p" "$console")
  bug_step=$(head -n "$bug_at" "$console" | grep "^KSTEP " | tail -n1 | cut -d" " -f2-)
  echo "KTEST FAIL guest.kernel: the guest kernel reported \"$kernel_bug\" during step '${bug_step:-booting}' (console: $console)" | tee -a "$console"
fi
passed=$(grep -c '^KTEST PASS ' "$console" || true)
failed=$(grep -c '^KTEST FAIL ' "$console" || true)
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
  last=$(grep '^KSTEP ' "$console" | tail -n1 | cut -d' ' -f2-)
  abort "QEMU did not finish within ${boot_timeout}s; the guest was in step '${last:-booting the kernel}' (console: $console)"
fi
if ! grep -q '^KSTEP done' "$console"; then
  last=$(grep '^KSTEP ' "$console" | tail -n1 | cut -d' ' -f2-)
  tail -n 20 "$console"
  abort "the guest stopped (QEMU exit $qemu_rc) in step '${last:-booting the kernel}' before finishing (console: $console)"
fi

step host
# The raw capture from mdpy, replayed by the simulated vGPU on this host, must give the
# same pixels as the pattern the guest wrote.
host_check() {
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
host_check dotnet "$guest" host-replay --vgpuview "$vgpuview" --results "$results"

echo "kernel: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then exit 1; fi
