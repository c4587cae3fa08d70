#!/usr/bin/env bash
# Runs every test of VgpuView: installs what the tests need when it is missing (apt-get, as
# root), runs `dotnet test VgpuView.sln`, then the real-kernel harness (tests/kernel/run.sh:
# mbochs and mdpy in a QEMU guest; VGPUVIEW_SKIP_KERNEL=1 leaves it out, except under CI),
# and prints one line "N passed, N failed, N skipped" from the real counts.
# Exit code: 0 when everything passed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")"

# Each file in tests/setup.d installs one group of prerequisites; they are idempotent.
for setup in tests/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  bash "$setup"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test VgpuView.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test project:
#   Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: ...
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | awk -F'[:,]' '
  { f += $2; p += $4; s += $6 } END { printf "%d %d %d\n", p, f, s }')
projects=$(grep -cE '(Passed|Failed)! +- Failed: ' "$log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build or a test host failed before any summary counted it
fi

if [ -x tests/kernel/run.sh ]; then
  if [ "${VGPUVIEW_SKIP_KERNEL:-}" = 1 ] && [ "${CI:-}" != true ]; then
    echo "kernel harness left out (VGPUVIEW_SKIP_KERNEL=1)"
  else
    set +e
    tests/kernel/run.sh 2>&1 | tee "$log"
    kstatus=${PIPESTATUS[0]}
    set -e
    # Its last line: "kernel: N passed, N failed".
    read -r kpassed kfailed < <(grep -E '^kernel: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 | awk '{ print $2, $4 }')
    kpassed=${kpassed:-0}
    kfailed=${kfailed:-0}
    if [ "$kstatus" -ne 0 ] && [ "$kfailed" -eq 0 ]; then
      kfailed=1
    fi
    passed=$((passed + kpassed))
    failed=$((failed + kfailed))
    [ "$kstatus" -eq 0 ] || status=1
  fi
fi

# The doctor's harness (tests/kernel/doctor/run.sh: a boot GPU under vesafb and vfio-pci on
# q35 with an IOMMU), under the same rules; its last line is "doctor: N passed, N failed".
if [ -x tests/kernel/doctor/run.sh ]; then
  if [ "${VGPUVIEW_SKIP_KERNEL:-}" = 1 ] && [ "${CI:-}" != true ]; then
    echo "doctor harness left out (VGPUVIEW_SKIP_KERNEL=1)"
  else
    set +e
    tests/kernel/doctor/run.sh 2>&1 | tee "$log"
    dstatus=${PIPESTATUS[0]}
    set -e
    read -r dpassed dfailed < <(grep -E '^doctor: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 | awk '{ print $2, $4 }') || true
    dpassed=${dpassed:-0}
    dfailed=${dfailed:-0}
    if [ "$dstatus" -ne 0 ] && [ "$dfailed" -eq 0 ]; then
      dfailed=1
    fi
    passed=$((passed + dpassed))
    failed=$((failed + dfailed))
    [ "$dstatus" -eq 0 ] || status=1
  fi
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$projects" -ge 2 ]
