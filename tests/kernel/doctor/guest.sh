#!/bin/sh
# Runs inside the doctor's test guest, in the host's root (read-only) with the guest's /tmp,
# /dev, /proc and /sys. The GPU is QEMU's VGA at 0000:00:02.0, booted in a VESA mode so that
# vesafb holds its BAR 0. What doctor must say is worked out here from the kernel's own files
# (the BAR from sysfs, the claim from /proc/iomem), not from vgpuview. Prints one
# "KTEST PASS|FAIL doctor.NAME" line per check and "KINFO" lines with what the guest showed.
set -u
dev=0000:00:02.0
sysdev=/sys/bus/pci/devices/$dev
mbochs_uuid=0b0c5000-0000-4000-8000-00000000d0c7
out=/tmp/doctor
mkdir -p "$out"

pass() { echo "KTEST PASS doctor.$1"; }
step() { echo "KSTEP $1"; echo "KINFO $1 at $(cut -d' ' -f1 /proc/uptime) s of guest uptime"; }
fail() { echo "KTEST FAIL doctor.$1: $2"; }
vgpuview() { dotnet "$KVGPUVIEW" "$@"; }
# line FILE STATUS ID: the one line of doctor's text output for that check (status padded to 8).
line() { grep -E "^$2 +$3 " "$1" | head -n1; }
# json_check FILE ID: the object of doctor --json's check ID, on one line (its fields are one a line).
json_check() { awk -v id="\"id\": \"$2\"" 'index($0, id) { on = 1 } on { printf "%s ", $0 } on && /^    }/ { exit }' "$1"; }
# Hex without leading zeros, as doctor prints addresses.
hex() { printf '%x' "$1"; }

# The firmware console regions of /proc/iomem inside [start, end] (hex, any width).
console_claims() {
    awk -v s="$1" -v e="$2" '
        function pad(x) { while (length(x) < 16) x = "0" x; return x }
        {
            split($1, r, "-"); name = $0; sub(/^[^:]*: /, "", name)
            if (name ~ /^(BOOTFB|vesafb|efifb|simple-framebuffer|simplefb|simpledrm)$/ && pad(r[1]) >= pad(s) && pad(r[2]) <= pad(e))
                print name, r[1], r[2]
        }' /proc/iomem
}

info_block() {
    echo "KINFO $1:"
    sed "s/^/KINFO   /" "$2"
}

step before-bind
# BAR 0: the first line of the device's sysfs resource file, "start end flags".
set -- $(head -n1 "$sysdev/resource")
bar_start=$(hex "$1"); bar_end=$(hex "$2")
grep -E "($dev|vesafb|BOOTFB|efifb|simple)" /proc/iomem > "$out/iomem-before"
info_block "/proc/iomem of $dev before binding" "$out/iomem-before"
for v in /sys/class/vtconsole/vtcon*; do echo "KINFO $v: $(cat "$v/name") bind=$(cat "$v/bind")"; done
echo "KINFO boot_vga=$(cat "$sysdev/boot_vga") class=$(cat "$sysdev/class") driver=$(basename "$(readlink "$sysdev/driver" 2>/dev/null)" 2>/dev/null)"
claim=$(console_claims "$bar_start" "$bar_end" | head -n1)
if [ -z "$claim" ]; then
    fail before-bind.vesafb "no firmware console claims BAR 0 (0x$bar_start-0x$bar_end) in /proc/iomem: the VESA boot mode did not take"
else
    set -- $claim
    expected="$1 at 0x$(hex "0x$2")-0x$(hex "0x$3") (BAR 0)"
    echo "KINFO expected claim: $expected"
    pass before-bind.vesafb

    # One run, as JSON: each check's "found" and "fix" are the text lines' words.
    vgpuview doctor "$dev" --json > "$out/before.json" 2>&1
    rc=$?
    sed "s/^/KINFO doctor> /" "$out/before.json"
    console=$(json_check "$out/before.json" console)
    if [ "$rc" -ne 1 ]; then
        fail before-bind.doctor "doctor $dev exited with $rc, expected 1 (the device is on no driver yet)"
    elif ! echo "$console" | grep -qF '"status": "warning"' || ! echo "$console" | grep -qF "held by $expected"; then
        fail before-bind.doctor "doctor's console check is no warning naming '$expected': $console"
    elif ! echo "$console" | grep -qF "binding vfio-pci will remove it"; then
        fail before-bind.doctor "doctor's console check does not say that binding vfio-pci removes the console: $console"
    elif ! json_check "$out/before.json" driver | grep -qF '"found": "bound to no driver, not to vfio-pci"'; then
        fail before-bind.doctor "doctor does not report the device as bound to no driver"
    else
        pass before-bind.doctor
    fi

    if echo "$console" | grep -qF "\"name\": \"$1\"" && echo "$console" | grep -qF "\"start\": \"0x$(hex "0x$2")\"" \
        && echo "$console" | grep -qF "\"end\": \"0x$(hex "0x$3")\"" && echo "$console" | grep -qF '"console": true'; then
        pass before-bind.json
    else
        fail before-bind.json "doctor --json has no claim {name $1, start 0x$(hex "0x$2"), end 0x$(hex "0x$3"), console true}: $console"
    fi
fi

step bind
# As a user binds a GPU: driver_override, then a probe of the device.
echo vfio-pci > "$sysdev/driver_override"
echo "$dev" > /sys/bus/pci/drivers_probe
driver=$(basename "$(readlink "$sysdev/driver" 2>/dev/null)" 2>/dev/null)
if [ "$driver" = vfio-pci ]; then
    pass bind
else
    fail bind "after driver_override and drivers_probe the device is bound to '${driver:-nothing}', not vfio-pci"
fi

step after-bind
grep -E "($dev|vesafb|BOOTFB|efifb|simple)" /proc/iomem > "$out/iomem-after"
info_block "/proc/iomem of $dev after binding" "$out/iomem-after"
for v in /sys/class/vtconsole/vtcon*; do echo "KINFO $v: $(cat "$v/name") bind=$(cat "$v/bind")"; done
left=$(console_claims "$bar_start" "$bar_end")
if [ -z "$left" ]; then
    pass console-gone
else
    fail console-gone "binding vfio-pci left $left in /proc/iomem"
fi

vgpuview doctor "$dev" > "$out/after.txt" 2>&1
rc=$?
sed "s/^/KINFO doctor> /" "$out/after.txt"
if [ "$rc" -ne 0 ]; then
    fail after-bind.doctor "doctor $dev exited with $rc after binding, expected 0: $(grep -E '^problem' "$out/after.txt" | head -n2)"
elif ! line "$out/after.txt" ok console | grep -qF "no console or firmware framebuffer holds its BARs"; then
    fail after-bind.doctor "doctor's console line is not ok: '$(grep -E '^[a-z]+ +console ' "$out/after.txt")'"
elif ! line "$out/after.txt" ok open | grep -q "opened"; then
    fail after-bind.doctor "doctor did not open the device through its group"
elif ! line "$out/after.txt" info display.probe | grep -qF "exports no display through VFIO"; then
    fail after-bind.doctor "doctor does not say the GPU exports no display through VFIO"
else
    pass after-bind.doctor
fi

vgpuview info "$dev" > "$out/info.txt" 2>&1
rc=$?
sed "s/^/KINFO info> /" "$out/info.txt"
if [ "$rc" -eq 0 ] && grep -q "^planes   dmabuf no, region no (this device exports no display through VFIO: a GPU assigned whole" "$out/info.txt"; then
    pass after-bind.info
else
    fail after-bind.info "info $dev exited with $rc or did not say that the GPU exports no display through VFIO"
fi

step mdev
# A fresh mbochs mdev: no guest has set a mode and no VMM has written an EDID, so its EDID
# region reads link_state 0 and edid_size 0.
if echo "$mbochs_uuid" > /sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-medium/create; then
    vgpuview doctor "$mbochs_uuid" > "$out/mdev.txt" 2>&1
    rc=$?
    sed "s/^/KINFO doctor> /" "$out/mdev.txt"
    edid=$(line "$out/mdev.txt" problem display.edid)
    if [ "$rc" -ne 1 ]; then
        fail mdev.link-down "doctor $mbochs_uuid exited with $rc, expected 1"
    elif ! echo "$edid" | grep -qF "link not set, blob 0 bytes" || ! echo "$edid" | grep -qF "vgpuview edid $mbochs_uuid --mode 1024x768"; then
        fail mdev.link-down "doctor's EDID line does not report the link down with the edid command: '$edid'"
    elif ! line "$out/mdev.txt" ok device | grep -qF "mdev of type mbochs-medium on mbochs"; then
        fail mdev.link-down "doctor's device line does not name the mbochs mdev"
    else
        pass mdev.link-down
    fi
else
    fail mdev.link-down "creating an mbochs-medium mdev failed"
fi

# The host checks run for a device too: the IOMMU and the modules, from the same output.
if line "$out/after.txt" ok iommu | grep -q "IOMMU dmar0 enabled" && line "$out/after.txt" ok modules | grep -qF "vfio_pci loaded"; then
    pass host
else
    fail host "doctor did not find the IOMMU (dmar0) and vfio_pci loaded"
fi
step end
exit 0
