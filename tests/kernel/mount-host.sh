# Sourced by both guests' /init (tests/kernel/init.sh and tests/kernel/doctor/init.sh): mounts
# the host's root read-only over 9p at /host, with proc, sys, dev and tmpfs over /tmp, /run and
# /dev/shm, so the guest runs the host's dotnet and the host's builds. Calls the caller's fail.
mount_host() {
    # cache=loose: the share is read-only, so the guest may cache it (dotnet reads many files).
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host \
        || fail "mounting the host root over 9p failed"
    mount -t proc proc /host/proc
    mount -t sysfs sysfs /host/sys
    mount -t devtmpfs devtmpfs /host/dev
    mount -t tmpfs tmpfs /host/tmp
    mount -t tmpfs tmpfs /host/run
    mkdir -p /host/dev/shm /host/tmp/home
    mount -t tmpfs tmpfs /host/dev/shm
}
