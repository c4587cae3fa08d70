#!/bin/sh
# /init of the test guest (busybox). Loads the modules, mounts the host's root read-only
# over 9p with proc, sys, dev and a tmpfs over it, and runs the check script of the
# repository from there, so the guest uses the host's dotnet and the host's builds.
# run.sh passes KREPO, KVGPUVIEW, KGUEST, KKERNEL (the kernel's name) and KMODE (checks or
# refcount) on the kernel command line (they arrive here as environment variables). Every
# step prints "KSTEP name" first, so that the host can say which step hung; "KSTEP done"
# means the guest finished. The guest ends with a reboot, which QEMU (-no-reboot) turns into
# its exit on every kernel, also on the one built without ACPI, where poweroff only halts.
/bin/busybox --install -s /bin
export PATH=/bin
. /mount-host.sh

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
    echo "KTEST FAIL $KKERNEL/guest.init: $*"
    echo "KSTEP done"
    reboot -f
}

echo "KSTEP modules"
# In the refcount boot the check loads mbochs itself (patched, then stock).
for m in $(cat /lib/modules/order); do
    [ "$KMODE" = refcount ] && [ "$m" = mbochs ] && continue
    insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done

echo "KSTEP mount"
mount_host
mkdir -p /host/dev/pts /host/tmp/results
mount -t devpts devpts /host/dev/pts
mkdir -p /host/tmp/kmods
cp /lib/modules/mbochs*.ko /host/tmp/kmods/ 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /host/tmp/results \
    || fail "mounting the results share failed"
# The repository has a share of its own, mounted at its host path: a clone under /tmp or
# /run (as CI's may be) is hidden by the tmpfs mounted there above.
mkdir -p "/host$KREPO" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 repo "/host$KREPO" \
    || fail "mounting the repository share at $KREPO failed"

echo "KSTEP checks"
chroot /host /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp/home DOTNET_CLI_HOME=/tmp/home TMPDIR=/tmp \
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
    KREPO="$KREPO" KVGPUVIEW="$KVGPUVIEW" KGUEST="$KGUEST" KKERNEL="$KKERNEL" KMODE="$KMODE" KONLY="${KONLY:-}" \
    /bin/sh "$KREPO/tests/kernel/guest-checks.sh" \
    || echo "KTEST FAIL $KKERNEL/guest.checks: the check script exited with $?"

sync
echo "KSTEP done"
reboot -f
