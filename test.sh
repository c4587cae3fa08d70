#!/usr/bin/env bash
# Runs every test of VgpuView: installs what the tests need when it is missing (apt-get, as
# root), runs `dotnet test VgpuView.sln`, and prints one line "N passed, N failed, N skipped"
# from the real counts. Exit code: 0 when everything passed, 1 otherwise.
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
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$projects" -ge 2 ]
