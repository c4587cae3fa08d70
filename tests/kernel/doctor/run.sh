#!/usr/bin/env bash
# The doctor's real-kernel harness: `vgpuview doctor` against Debian's kernel in a QEMU guest
# (TCG) built as a machine whose GPU carries the boot console: q35 with an emulated Intel
# IOMMU, so that vfio-pci can bind, and QEMU's standard VGA at 0000:00:02.0 in a VESA mode
# (vga=0x318 through SeaBIOS), so that vesafb claims the GPU's BAR 0 in /proc/iomem.
#
#   tests/kernel/doctor/run.sh     install what is missing, build, boot, check, report
#
# DOCTOR_KERNEL_SERIES (default 6.1) picks the installed kernel series to boot.
#
# In the guest (tests/kernel/doctor/guest.sh): doctor before binding names vesafb and the
# range it holds and says binding vfio-pci removes it; the script binds vfio-pci; doctor then
# finds the console gone and the device usable; info opens it and says it exports no display;
# an mbochs mdev with its EDID link not up is diagnosed. Each check prints a line
# "KTEST PASS|FAIL name"; the last line is "doctor: N passed, N failed", and the exit code is
# 0 only when nothing failed. Shares tests/kernel/run.sh's cache (.cache/kernel/<version>/).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$repo"
boot_timeout=${KERNEL_BOOT_TIMEOUT:-420}
passed=0
failed=0
current_step=start

step() { echo "doctor: step $1 (at ${SECONDS} s)"; current_step=$1; }

abort() {
  echo "KTEST FAIL doctor.harness.$current_step: $*"
  echo "doctor: $passed passed, $((failed + 1)) failed"
  exit 1
}
trap 'abort "command failed (line $LINENO)"' ERR

step install
. tests/setup.d/lib.sh
need_pkgs qemu-system-x86 qemu-utils linux-image-amd64 busybox-static build-essential cpio kmod xz-utils \
  || abort "apt-get install failed"
# Debian 12's own kernel series (6.1, what linux-image-amd64 installs), even where a newer
# one (backports' 6.12) is installed beside it: the checks expect 6.1's vesafb and vfio-pci.
series=${DOCTOR_KERNEL_SERIES:-6.1}
kver=$(ls /boot/vmlinuz-"$series".*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n1)
[ -n "$kver" ] || abort "no /boot/vmlinuz-$series.*-amd64 after installing linux-image-amd64"
need_pkgs "linux-headers-$kver" "linux-source-$series" || abort "apt-get install linux-headers-$kver linux-source-$series failed"
cache="$repo/.cache/kernel/$kver"
mkdir -p "$cache"

step modules
# mbochs (and mdpy, so that the cache is the one tests/kernel/run.sh makes) out of tree from
# samples/vfio-mdev of the linux-source tarball.
if [ ! -f "$cache/modules/mbochs.ko" ] || [ ! -f "$cache/modules/mdpy.ko" ]; then
  src=$(mktemp -d)
  tarball=$(ls /usr/src/linux-source-"$series".tar.* | head -n1)
  tar -xf "$tarball" -C "$src" --wildcards "linux-source-$series/samples/vfio-mdev/*"
  make -s -C "/lib/modules/$kver/build" M="$src/linux-source-$series/samples/vfio-mdev" \
    CONFIG_SAMPLE_VFIO_MDEV_MBOCHS=m CONFIG_SAMPLE_VFIO_MDEV_MDPY=m modules >"$cache/modules-build.log" 2>&1 \
    || { tail -n 30 "$cache/modules-build.log"; abort "building mbochs failed (log: $cache/modules-build.log)"; }
  mkdir -p "$cache/modules.tmp"
  cp "$src/linux-source-$series/samples/vfio-mdev/"{mbochs,mdpy}.ko "$cache/modules.tmp/"
  rm -rf "$cache/modules" "$src"
  mv "$cache/modules.tmp" "$cache/modules"
fi

step build
build_log="$repo/.cache/kernel/doctor-build.log"
dotnet build src/Viewer -c Release -nologo -v q >"$build_log" 2>&1 \
  || { grep -E 'error|Error' "$build_log" | head -n 20; abort "dotnet build src/Viewer failed (log: $build_log)"; }
vgpuview="$repo/src/Viewer/bin/Release/net10.0/vgpuview.dll"
[ -f "$vgpuview" ] || abort "$vgpuview missing after the build"

step initramfs
# Load order, dependencies first: virtio and 9p for the shared root; VFIO with vfio-pci
# (vfio_pci_core needs vfio_virqfd and irqbypass on 6.1); mdev and mbochs.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p vfio vfio_iommu_type1 vfio_virqfd irqbypass vfio_pci_core vfio_pci mdev"
key=$(cat tests/kernel/doctor/init.sh tests/kernel/mount-host.sh "$cache/modules/mbochs.ko" /bin/busybox | sha256sum | cut -c1-16)
initrd="$cache/doctor-initramfs-$key.cpio.gz"
if [ ! -f "$initrd" ]; then
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,dev,proc,sys,host,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  loaded=""
  for m in $modules; do
    # A module the kernel has built in (or folded into another, as 6.2 did vfio_virqfd) is left out.
    path=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || continue
    case "$path" in
      *.ko) cp "$path" "$root/lib/modules/$m.ko" ;;
      *.ko.xz) xz -dc "$path" >"$root/lib/modules/$m.ko" ;;
      *.ko.zst) zstd -qdc "$path" >"$root/lib/modules/$m.ko" ;;
      *) continue ;;
    esac
    loaded="$loaded $m"
  done
  cp "$cache/modules/mbochs.ko" "$root/lib/modules/"
  echo "$loaded mbochs" >"$root/lib/modules/order"
  install -m 755 tests/kernel/doctor/init.sh "$root/init"
  install -m 644 tests/kernel/mount-host.sh "$root/mount-host.sh"
  rm -f "$cache"/doctor-initramfs-*.cpio.gz
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$initrd.tmp")
  mv "$initrd.tmp" "$initrd"
  rm -rf "$root"
fi

step boot
console="$repo/.cache/kernel/doctor-console.log"
# intel_iommu=on and the emulated intel-iommu (interrupt remapping needs the split irqchip)
# give the guest IOMMU groups; vga=0x318 is VESA mode 0x118 (1024x768, 24 bits), which QEMU's
# loader hands to the kernel's boot code, which sets it through SeaBIOS's VGA BIOS: the kernel
# then registers a vesa-framebuffer device and vesafb claims the VGA's BAR 0.
# no_timer_check: under TCG on a busy host the early check that the timer interrupt arrives
# through the remapped IO-APIC can miss, and with interrupt remapping on the kernel then
# panics ("timer doesn't work through Interrupt-remapped IO-APIC") instead of going on.
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=5 no_timer_check intel_iommu=on vga=0x318 KREPO=$repo KVGPUVIEW=$vgpuview"
set +e
trap - ERR
timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2048 \
  -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on \
  -vga none -device VGA,addr=0x2 -display none -serial stdio -monitor none -no-reboot -nic none \
  -kernel "/boot/vmlinuz-$kver" -initrd "$initrd" -append "$append" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$repo",mount_tag=repo,security_model=none,readonly=on,multidevs=remap \
  </dev/null 2>&1 | tr -d "\r" | sed -u "s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g" | tee "$console" | grep --line-buffered -E '^(KTEST|KSTEP|KINFO)'
qemu_rc=${PIPESTATUS[0]}
set -e
trap 'abort "command failed (line $LINENO)"' ERR

bug_at=$(grep -n -m1 -E "(BUG:|Oops|WARNING:|Kernel panic|general protection fault)" "$console" | cut -d: -f1 || true)
if [ -n "$bug_at" ]; then
  kernel_bug=$(sed -n "${bug_at}p" "$console")
  bug_step=$(head -n "$bug_at" "$console" | grep "^KSTEP " | tail -n1 | cut -d" " -f2- || true)
  echo "KTEST FAIL doctor.guest.kernel: the guest kernel reported \"$kernel_bug\" during step '${bug_step:-booting}' (console: $console)" | tee -a "$console"
fi
passed=$(grep -c '^KTEST PASS ' "$console" || true)
failed=$(grep -c '^KTEST FAIL ' "$console" || true)
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
  last=$(grep '^KSTEP ' "$console" | tail -n1 | cut -d' ' -f2- || true)
  abort "QEMU did not finish within ${boot_timeout}s; the guest was in step '${last:-booting the kernel}' (console: $console)"
fi
if ! grep -q '^KSTEP done' "$console"; then
  last=$(grep '^KSTEP ' "$console" | tail -n1 | cut -d' ' -f2- || true)
  tail -n 20 "$console"
  abort "the guest stopped (QEMU exit $qemu_rc) in step '${last:-booting the kernel}' before finishing (console: $console)"
fi
# The guest's checks are counted; a run that counted none proves nothing.
[ $((passed + failed)) -gt 0 ] || abort "the guest reported no check (console: $console)"

echo "doctor: finished in ${SECONDS} s"
echo "doctor: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then exit 1; fi
