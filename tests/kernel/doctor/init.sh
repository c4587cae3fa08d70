#!/bin/sh
# /init of the doctor's test guest (busybox): loads the modules, mounts the host's root
# read-only over 9p with the guest's proc, sys and dev and a tmpfs over /tmp, and runs
# tests/kernel/doctor/guest.sh from there with the host's dotnet. run.sh passes KREPO and
# KVGPUVIEW on the kernel command line. Each step prints "KSTEP name"; "KSTEP done" ends.
/bin/busybox --install -s /bin
export PATH=/bin
. /mount-host.sh

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
    echo "KTEST FAIL doctor.init: $*"
    echo "KSTEP done"
    poweroff -f
}

echo "KSTEP modules"
for m in $(cat /lib/modules/order); do
    insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done

echo "KSTEP mount"
mount_host
# The repository has a share of its own at its host path: a clone under /tmp or /run (as
# CI's may be) is hidden by the tmpfs mounted there above.
mkdir -p "/host$KREPO" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 repo "/host$KREPO" \
    || fail "mounting the repository share at $KREPO failed"

echo "KSTEP checks"
chroot /host /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp/home DOTNET_CLI_HOME=/tmp/home TMPDIR=/tmp \
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    KREPO="$KREPO" KVGPUVIEW="$KVGPUVIEW" \
    /bin/sh "$KREPO/tests/kernel/doctor/guest.sh" \
    || echo "KTEST FAIL doctor.checks: the check script exited with $?"

sync
echo "KSTEP done"
poweroff -f
