#!/usr/bin/env bash
# The real-kernel harness: runs vgpuview against the Linux kernel's VFIO, mdev and its
# sample display drivers (mbochs: dma-buf planes, mdpy: region planes) inside QEMU guests,
# one per kernel:
#   6.1           Debian 12's kernel (group and container only)
#   6.12          bookworm's linux-6.12 (group and container; udmabuf built in)
#   6.12-iommufd  linux-source-6.12 built by tests/kernel/build-kernel.sh with iommufd and
#                 the VFIO device cdev (/dev/vfio/devices/vfioN) next to the group; run when
#                 this machine has built it, built first with VGPUVIEW_KERNEL_BUILD=1
#
#   tests/kernel/run.sh            install what is missing, build, boot each kernel, report
#   VGPUVIEW_KERNELS="6.12"        only the kernels named
#   VGPUVIEW_KERNEL_ONLY=cdev.,sim. only the guest checks whose names start so (a developer's
#                                  shortcut on a slow machine; the host and refcount checks still run)
#
# Steps per kernel (each prints "kernel: step KERNEL NAME" so a failure names where it stopped):
#   install  the kernel image, its headers and linux-source (Debian's kernels); or the
#            cached build of the iommufd kernel
#   modules  mbochs.ko and mdpy.ko built out of tree from samples/vfio-mdev of the
#            linux-source tarball (only that folder is extracted), stock and with
#            mbochs-dmabuf-refs.patch, cached under .cache/kernel/<kernel version>/
#   initramfs busybox-static, the modules, tests/kernel/init.sh as /init
#   boot     QEMU (TCG) under a hard timeout; the guest runs tests/kernel/guest-checks.sh,
#            which prints "KTEST PASS|FAIL KERNEL/name" lines on the serial console and
#            writes files into a writable 9p share (.cache/kernel/KERNEL/results)
#   host     checks that need the guest's files on the host (sim:replay of a raw capture)
#   refcount a second boot of 6.12 (no oops=panic) that runs mbochs' dma-buf re-export
#            sequence on the patched and then on the stock module
# Each kernel ends with "kernel KERNEL: N passed, N failed (T s)"; the last line sums them as
# "kernel: N passed, N failed"; the exit code is 0 only when nothing failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
boot_timeout=${KERNEL_BOOT_TIMEOUT:-420}
refcount_timeout=${KERNEL_REFCOUNT_TIMEOUT:-240}
kernels=${VGPUVIEW_KERNELS:-6.1 6.12 6.12-iommufd}
. tests/setup.d/lib.sh

# A failure before any kernel: one FAIL naming the step, the summary line, exit 1.
fatal() {
  echo "KTEST FAIL harness.$1: $2"
  echo "kernel: 0 passed, 1 failed"
  exit 1
}

echo "kernel: step install (at ${SECONDS} s)"
need_pkgs qemu-system-x86 qemu-utils busybox-static build-essential cpio kmod xz-utils \
  || fatal install "apt-get install failed"

echo "kernel: step build (at ${SECONDS} s)"
mkdir -p .cache/kernel
build_log="$repo/.cache/kernel/build.log"
dotnet build src/Viewer -c Release -nologo -v q >"$build_log" 2>&1 \
  || { grep -E 'error|Error' "$build_log" | head -n 20; fatal build "dotnet build src/Viewer failed (log: $build_log)"; }
dotnet build tests/kernel/GuestDriver -c Release -nologo -v q >>"$build_log" 2>&1 \
  || { grep -E 'error|Error' "$build_log" | head -n 20; fatal build "dotnet build tests/kernel/GuestDriver failed (log: $build_log)"; }
vgpuview="$repo/src/Viewer/bin/Release/net10.0/vgpuview.dll"
guest="$repo/tests/kernel/GuestDriver/bin/Release/net10.0/VgpuView.KernelGuest.dll"
[ -f "$vgpuview" ] || fatal build "$vgpuview missing after the build"
[ -f "$guest" ] || fatal build "$guest missing after the build"

# One kernel, in a subshell: its counts go to $out/counts, whatever happens.
run_kernel() {
  kname=$1
  out="$repo/.cache/kernel/$kname"
  mkdir -p "$out"
  passed=0
  failed=0
  current_step=install
  step() { echo "kernel: step $kname $1 (at ${SECONDS} s)"; current_step=$1; }
  count() { echo "$passed $failed" >"$out/counts"; }
  abort() {
    echo "KTEST FAIL $kname/harness.$current_step: $*"
    failed=$((failed + 1))
    count
    exit 1
  }
  trap 'abort "command failed (line $LINENO)"' ERR
  count

  step install
  modules=""       # the modules the guest loads, by name, dependencies first
  module_paths=""  # their files, for the initramfs
  kimage=""
  refcount=no     # the stock and patched mbochs are modules only on Debian's kernels
  refcount_boot=no
  case "$kname" in
    6.1|6.12)
      # The metapackage names the kernel: linux-image-amd64 is bookworm's 6.1,
      # linux-image-6.12-amd64 bookworm's 6.12 line. Installing one leaves the other alone.
      meta=linux-image-amd64
      [ "$kname" = 6.12 ] && meta=linux-image-6.12-amd64
      need_pkgs "$meta" || abort "apt-get install $meta failed"
      kver=$(dpkg-query -W -f='${Depends}' "$meta" | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
      [ -n "$kver" ] || abort "$meta names no kernel image"
      need_pkgs "linux-headers-$kver" "linux-source-$kname" || abort "apt-get install linux-headers-$kver linux-source-$kname failed"
      kimage="/boot/vmlinuz-$kver"
      [ -r "$kimage" ] || abort "$kimage is not readable"
      refcount=yes
      # On 6.1 the same sequence corrupts silently (tests/kernel/README.md): only 6.12's
      # kernel reports it, so the check that tells whether the bug is still there runs there.
      [ "$kname" = 6.12 ] && refcount_boot=yes
      ;;
    6.12-iommufd)
      # Built once per machine and cached outside the clone; building it is asked for with
      # VGPUVIEW_KERNEL_BUILD=1 (tests/kernel/README.md has the build's time on 2 cores).
      if ! kdir=$(tests/kernel/build-kernel.sh --cached); then
        if [ "${VGPUVIEW_KERNEL_BUILD:-}" != 1 ]; then
          echo "0 0 left out: not built on this machine; VGPUVIEW_KERNEL_BUILD=1 builds it (tests/kernel/build-kernel.sh)" >"$out/counts"
          exit 0
        fi
        kdir=$(tests/kernel/build-kernel.sh) || abort "building the iommufd kernel failed"
      fi
      kver="6.12-iommufd-$(basename "$kdir")"
      kimage="$kdir/bzImage"
      [ -r "$kimage" ] || abort "$kimage is not readable"
      ;;
    *) abort "unknown kernel '$kname' (known: 6.1 6.12 6.12-iommufd)" ;;
  esac
  echo "KINFO $kname: $kimage"
  cache="$repo/.cache/kernel/$kver"
  mkdir -p "$cache"

  if [ "$refcount" = yes ]; then
    step modules
    if [ ! -f "$cache/modules/mbochs.ko" ] || [ ! -f "$cache/modules/mdpy.ko" ] || [ ! -f "$cache/modules/mbochs-fixed.ko" ] \
      || [ "$cache/modules/mbochs-fixed.ko" -ot tests/kernel/mbochs-dmabuf-refs.patch ]; then
      src=$(mktemp -d)
      tarball=$(ls /usr/src/linux-source-"$kname".tar.* | head -n1)
      # Only samples/vfio-mdev is needed; the rest of the tree is never unpacked.
      tar -xf "$tarball" -C "$src" --wildcards "linux-source-$kname/samples/vfio-mdev/*"
      samples="$src/linux-source-$kname/samples/vfio-mdev"
      build_samples() {
        make -s -C "/lib/modules/$kver/build" M="$samples" \
          CONFIG_SAMPLE_VFIO_MDEV_MBOCHS=m CONFIG_SAMPLE_VFIO_MDEV_MDPY=m modules >>"$cache/modules-build.log" 2>&1 \
          || { tail -n 30 "$cache/modules-build.log"; abort "building mbochs and mdpy failed (log: $cache/modules-build.log)"; }
      }
      : >"$cache/modules-build.log"
      build_samples
      mkdir -p "$cache/modules.tmp"
      cp "$samples/"{mbochs,mdpy}.ko "$cache/modules.tmp/"
      patch -s -d "$src/linux-source-$kname" -p1 <tests/kernel/mbochs-dmabuf-refs.patch || abort "mbochs-dmabuf-refs.patch does not apply to linux-source-$kname"
      build_samples
      cp "$samples/mbochs.ko" "$cache/modules.tmp/mbochs-fixed.ko"
      rm -rf "$cache/modules" "$src"
      mv "$cache/modules.tmp" "$cache/modules"
    fi

    # Debian's modules for the 9p root and VFIO, dependencies first (modprobe resolves them;
    # a "builtin" line needs nothing).
    for m in virtio_pci 9pnet_virtio 9p vfio_iommu_type1 mdev; do
      modprobe -S "$kver" --show-depends "$m" >/dev/null || abort "module $m not found for $kver"
    done
    module_paths=$(for m in virtio_pci 9pnet_virtio 9p vfio_iommu_type1 mdev; do
      modprobe -S "$kver" --show-depends "$m" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
    done | awk '!seen[$0]++')
  fi

  step initramfs
  key=$( { cat tests/kernel/init.sh tests/kernel/mount-host.sh /bin/busybox; echo "$module_paths"; [ "$refcount" = no ] || cat "$cache/modules/"*.ko; } | sha256sum | cut -c1-16)
  initrd="$cache/initramfs-$key.cpio.gz"
  if [ ! -f "$initrd" ]; then
    root=$(mktemp -d)
    mkdir -p "$root"/{bin,dev,proc,sys,host,lib/modules}
    cp /bin/busybox "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    # busybox's insmod does not decompress: Debian's 6.12 ships its modules as .ko.xz.
    for path in $module_paths; do
      m=$(basename "$path"); m=${m%%.ko*}
      case "$path" in
        *.ko) cp "$path" "$root/lib/modules/$m.ko" ;;
        *.ko.xz) xz -dc "$path" >"$root/lib/modules/$m.ko" ;;
        *.ko.zst) zstd -qdc "$path" >"$root/lib/modules/$m.ko" ;;
        *) abort "module $m: unexpected file $path" ;;
      esac
      modules="$modules $m"
    done
    if [ "$refcount" = yes ]; then
      cp "$cache/modules/"*.ko "$root/lib/modules/"
      modules="$modules mbochs mdpy"
    fi
    echo "$modules" >"$root/lib/modules/order"
    install -m 755 tests/kernel/init.sh "$root/init"
    install -m 644 tests/kernel/mount-host.sh "$root/mount-host.sh"
    rm -f "$cache"/initramfs-*.cpio.gz
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$initrd.tmp")
    mv "$initrd.tmp" "$initrd"
    rm -rf "$root"
  fi

  # boot MODE TIMEOUT EXTRA-APPEND: one QEMU run; its console goes to $out/console-MODE.log.
  boot() {
    local mode=$1 timeout=$2 extra=$3
    console="$out/console-$mode.log"
    # Unknown name=value words on the kernel command line reach /init as environment variables.
    # loglevel=5 keeps WARNINGs on the console.
    local append="console=ttyS0 panic=-1 quiet loglevel=5 $extra KREPO=$repo KVGPUVIEW=$vgpuview KGUEST=$guest KKERNEL=$kname KMODE=$mode${VGPUVIEW_KERNEL_ONLY:+ KONLY=$VGPUVIEW_KERNEL_ONLY}"
    set +e
    trap - ERR
    timeout --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2048 \
      -nographic -no-reboot -nic none \
      -kernel "$kimage" -initrd "$initrd" -append "$append" \
      -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
      -virtfs local,path="$repo",mount_tag=repo,security_model=none,readonly=on,multidevs=remap \
      -virtfs local,path="$results",mount_tag=results,security_model=none,multidevs=remap \
      </dev/null 2>&1 | stdbuf -o0 tr -d "\r" | sed -u "s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g" | tee "$console" | grep --line-buffered -E '^(KTEST|KSTEP|KINFO)'
    qemu_rc=${PIPESTATUS[0]}
    set -e
    trap 'abort "command failed (line $LINENO)"' ERR
  }

  step boot
  results="$out/results"
  rm -rf "$results"
  mkdir -p "$results"
  # oops=panic: a kernel crash ends the run at once (panic=-1 reboots, -no-reboot exits)
  # instead of leaving a limping guest until the timeout.
  boot checks "$boot_timeout" "oops=panic"
  # The first sign of trouble in the guest kernel, reported with the step it happened in.
  bug_at=$(grep -n -m1 -E "(BUG:|Oops|WARNING:|Kernel panic|general protection fault)" "$console" | cut -d: -f1 || true)
  if [ -n "$bug_at" ]; then
    kernel_bug=$(sed -n "${bug_at}p" "$console")
    bug_step=$(head -n "$bug_at" "$console" | grep "^KSTEP " | tail -n1 | cut -d" " -f2-)
    echo "KTEST FAIL $kname/guest.kernel: the guest kernel reported \"$kernel_bug\" during step '${bug_step:-booting}' (console: $console)" | tee -a "$console"
  fi
  passed=$(grep -c '^KTEST PASS ' "$console" || true)
  failed=$(grep -c '^KTEST FAIL ' "$console" || true)
  count
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
  # same pixels as the pattern the guest wrote. The driver's own lines count, its exit
  # code only when it printed none.
  host_log="$out/host.log"
  set +e
  trap - ERR
  dotnet "$guest" host-replay --kernel "$kname" --vgpuview "$vgpuview" --results "$results" | tee "$host_log"
  host_rc=${PIPESTATUS[0]}
  set -e
  trap 'abort "command failed (line $LINENO)"' ERR
  passed=$((passed + $(grep -c '^KTEST PASS ' "$host_log" || true)))
  failed=$((failed + $(grep -c '^KTEST FAIL ' "$host_log" || true)))
  if [ "$host_rc" -ne 0 ] && ! grep -q '^KTEST FAIL ' "$host_log"; then
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/host.replay: the guest driver ended with exit code $host_rc"
  fi
  count

  if [ "$refcount_boot" = yes ]; then
    step refcount
    refcount_check
    count
  fi
}

# mbochs' dma-buf re-export (tests/kernel/README.md): the guest runs the sequence on the
# patched module, then on the stock one, in a boot of its own without oops=panic, so that
# what the stock module does to the kernel's memory cannot end the checks. Judged from the
# console: the patched module's part must be clean; the stock module's part is expected to
# show the damage, and a kernel that no longer does is reported so that README is updated.
refcount_check() {
  boot refcount "$refcount_timeout" ""
  local damage='Bad page|BUG:|WARNING:|Oops|refcount_t|Kernel panic|general protection fault|list_del corruption'
  grep -E '^KTEST (PASS|FAIL) ' "$console" >"$out/refcount-guest.log" || true
  passed=$((passed + $(grep -c '^KTEST PASS ' "$out/refcount-guest.log" || true)))
  failed=$((failed + $(grep -c '^KTEST FAIL ' "$out/refcount-guest.log" || true)))
  local fixed stock
  fixed=$(sed -n '/^KSTEP refcount patched$/,/^KSTEP refcount patched done$/p' "$console")
  stock=$(sed -n '/^KSTEP refcount stock$/,$p' "$console")
  # Whether the early-freed page is reported depends on who gets it next (README), so a clean
  # stock run is booted once more before it counts as the bug being gone; the patched part
  # and the guest's own checks are judged from the first boot.
  if grep -q '^KSTEP refcount stock done$' <<<"$stock" && ! grep -qE "$damage" <<<"$stock"; then
    echo "KINFO $kname: the stock sequence drew no kernel message; booting it once more"
    mv "$console" "$out/console-refcount-first.log"
    boot refcount "$refcount_timeout" ""
    stock=$(sed -n '/^KSTEP refcount stock$/,$p' "$console")
  fi
  if [ -z "$fixed" ] || ! grep -q '^KSTEP refcount patched done$' <<<"$fixed"; then
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/refcount.patched-survives: the guest did not finish the sequence on the patched mbochs (QEMU exit $qemu_rc; console: $console)"
  elif grep -qE "$damage" <<<"$fixed"; then
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/refcount.patched-survives: the kernel reported \"$(grep -m1 -E "$damage" <<<"$fixed")\" during the sequence on the patched mbochs (console: $console)"
  else
    passed=$((passed + 1))
    echo "KTEST PASS $kname/refcount.patched-survives"
  fi
  if [ -z "$stock" ]; then
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/refcount.stock-underflows: the guest never reached the stock mbochs (QEMU exit $qemu_rc; console: $console)"
  elif grep -qE "$damage" <<<"$stock"; then
    passed=$((passed + 1))
    echo "KTEST PASS $kname/refcount.stock-underflows"
    echo "KINFO $kname: stock mbochs after fetch, close, fetch of one dma-buf id: \"$(grep -m1 -E "$damage" <<<"$stock")\""
  elif grep -q '^KSTEP refcount stock done$' <<<"$stock"; then
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/refcount.stock-underflows: stock mbochs went through fetch, close, fetch and the device's close without a kernel complaint: the bug in tests/kernel/README.md is gone from this kernel (console: $console)"
  else
    failed=$((failed + 1))
    echo "KTEST FAIL $kname/refcount.stock-underflows: the guest stopped during the stock sequence without a kernel message (QEMU exit $qemu_rc; console: $console)"
  fi
}

total_passed=0
total_failed=0
for k in $kernels; do
  start=$SECONDS
  rm -f "$repo/.cache/kernel/$k/counts"
  set +e
  ( run_kernel "$k" )
  set -e
  read -r p f note <"$repo/.cache/kernel/$k/counts" 2>/dev/null || { p=0; f=1; note=""; }
  if [ -n "$note" ]; then
    echo "kernel $k: $note"
  else
    echo "kernel $k: $p passed, $f failed ($((SECONDS - start)) s)"
  fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
done

echo "kernel: $total_passed passed, $total_failed failed"
if [ "$total_failed" -ne 0 ]; then exit 1; fi
