#!/usr/bin/env bash
# A sweep through a real GNU parallel (docs/sweeps.md "Over ssh hosts"):
# installs Debian's `parallel` when missing, runs the sweep's parallel.sh on
# this machine, then a second sweep through parallel.sh HOSTS with a
# --sshloginfile whose one line is `2/:` (parallel's name for this machine,
# without ssh), collects each and checks the table, CSV and JSON byte for
# byte against `vmmsim compare` of the same runs. Running parallel.sh again
# simulates nothing (every run is done) and changes nothing. Without parallel
# and no way to install it, the test SKIPs (exit 77) saying why.
#   tests/sweep_parallel_test.sh VMMSIM WORK
set -uo pipefail
VMMSIM=$1
WORK=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sweep_test_lib.sh"

need_packages parallel || { echo "SKIP: cannot install parallel (not root, no password-less sudo, or no package source)"; exit 77; }
command -v parallel >/dev/null || { echo "SKIP: parallel is not installed"; exit 77; }

rm -rf "$WORK"
mkdir -p "$WORK"
make_sweep_inputs "$WORK"
cd "$WORK"

# Here: one parallel job per CPU, each a chunk of 2 runs.
"$VMMSIM" sweep plan "${sweep_args[@]}" --chunk 2 --out "$WORK/here" >/dev/null || fail "sweep plan failed"
here/parallel.sh >here.out 2>&1 || { cat here.out; fail "parallel.sh failed"; }
[ "$(grep -c ' done$' here.out)" = 6 ] || { cat here.out; fail "expected 6 runs done"; }
[ "$(wc -l < here/logs/parallel.joblog)" = 4 ] || fail "expected 3 parallel jobs in the joblog: $(cat here/logs/parallel.joblog)"
compare_with_local "$WORK/here" "$WORK/local"

# Again: nothing to do, nothing changes.
find here/runs -type f -newer here/manifest.jsonl -exec md5sum {} + | sort >before.sums
here/parallel.sh >again.out 2>&1 || { cat again.out; fail "parallel.sh again failed"; }
[ "$(grep -c ' done before$' again.out)" = 6 ] || { cat again.out; fail "expected every run 'done before'"; }
find here/runs -type f -newer here/manifest.jsonl -exec md5sum {} + | sort >after.sums
cmp before.sums after.sums || fail "running the sweep again changed its results"

# Through --sshloginfile, as on ssh hosts.
"$VMMSIM" sweep plan "${sweep_args[@]}" --chunk 1 --out "$WORK/hosts" >/dev/null || fail "sweep plan failed"
echo "2/:" >hosts.txt
hosts/parallel.sh hosts.txt --retries 1 >hosts.out 2>&1 || { cat hosts.out; fail "parallel.sh hosts.txt failed"; }
[ "$(wc -l < hosts/logs/parallel.joblog)" = 7 ] || fail "expected 6 parallel jobs: $(cat hosts/logs/parallel.joblog)"
grep -q ':' hosts/logs/parallel.joblog || fail "the joblog names no sshlogin"
compare_with_local "$WORK/hosts" "$WORK/local2"
echo "OK: GNU parallel $(parallel --version | head -1 | awk '{print $3}') ran 6 runs here and 6 through --sshloginfile; tables, CSV and JSON equal vmmsim compare's"
