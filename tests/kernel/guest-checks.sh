#!/bin/sh
# Runs inside the test guest, in the host's root (read-only) with /tmp, /dev, /proc and
# /sys of the guest. Creates one mbochs and one mdpy mdev and hands them to the guest
# driver, which runs the checks and prints "KTEST PASS|FAIL KERNEL/name" lines.
# KMODE=refcount: the guest driver runs mbochs' dma-buf re-export sequence instead, on the
# patched and then the stock module from /tmp/kmods (see run.sh).
set -u
results=/tmp/results
mbochs_uuid=0b0c5000-0000-4000-8000-00000000b0c5
mdpy_uuid=0d0d0000-0000-4000-8000-0000000000d0

# What the kernel is expected to offer, so that a missing /dev/udmabuf or device cdev fails
# instead of quietly testing less: 6.12's config has UDMABUF=y, the iommufd build has both.
case "$KKERNEL" in
    6.1) udmabuf=no; cdev=no ;;
    6.12) udmabuf=yes; cdev=no ;;
    *iommufd*) udmabuf=yes; cdev=yes ;;
    *) udmabuf=no; cdev=no ;;
esac

if [ "$KMODE" = refcount ]; then
    echo "KSTEP guest-driver refcount"
    dotnet "$KGUEST" refcount --kernel "$KKERNEL" --modules /tmp/kmods --mbochs "$mbochs_uuid"
    exit 0
fi

echo "KSTEP create-mdevs"
# sysfs: /sys/class/mdev_bus/<parent>/mdev_supported_types/<type>/create takes a UUID.
echo "$mbochs_uuid" > /sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-medium/create \
    || echo "KTEST FAIL $KKERNEL/guest.create-mbochs: writing the UUID to mbochs-medium/create failed"
echo "$mdpy_uuid" > /sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-vga/create \
    || echo "KTEST FAIL $KKERNEL/guest.create-mdpy: writing the UUID to mdpy-vga/create failed"

echo "KSTEP guest-driver"
dotnet "$KGUEST" checks --kernel "$KKERNEL" --vgpuview "$KVGPUVIEW" --results "$results" --mbochs "$mbochs_uuid" --mdpy "$mdpy_uuid" \
    --udmabuf "$udmabuf" --cdev "$cdev" --mesa25 "$KREPO/.cache/mesa25/env" --only "${KONLY:-}"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "KTEST FAIL $KKERNEL/guest.driver: the guest driver ended with exit code $rc"
fi
exit 0
