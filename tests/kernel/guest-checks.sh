#!/bin/sh
# Runs inside the test guest, in the host's root (read-only) with /tmp, /dev, /proc and
# /sys of the guest. Creates one mbochs and one mdpy mdev and hands them to the guest
# driver, which runs the checks and prints "KTEST PASS|FAIL name" lines.
set -u
results=/tmp/results
mbochs_uuid=0b0c5000-0000-4000-8000-00000000b0c5
mdpy_uuid=0d0d0000-0000-4000-8000-0000000000d0

echo "KSTEP create-mdevs"
# sysfs: /sys/class/mdev_bus/<parent>/mdev_supported_types/<type>/create takes a UUID.
echo "$mbochs_uuid" > /sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-medium/create \
    || echo "KTEST FAIL guest.create-mbochs: writing the UUID to mbochs-medium/create failed"
echo "$mdpy_uuid" > /sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-vga/create \
    || echo "KTEST FAIL guest.create-mdpy: writing the UUID to mdpy-vga/create failed"

echo "KSTEP guest-driver"
dotnet "$KGUEST" checks --vgpuview "$KVGPUVIEW" --results "$results" --mbochs "$mbochs_uuid" --mdpy "$mdpy_uuid"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "KTEST FAIL guest.driver: the guest driver ended with exit code $rc"
fi
exit 0
