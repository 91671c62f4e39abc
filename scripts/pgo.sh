#!/usr/bin/env bash
# A profile-guided (PGO) Release build of vmmsim and vmmsim_bench in BUILD_DIR
# (default build-pgo/), with GCC's -fprofile-generate / -fprofile-use:
#
#   scripts/pgo.sh [BUILD_DIR]     (relative to the current directory)
#
# 1. builds both instrumented;
# 2. trains them: a synthetic workload of batch, interactive and periodic
#    phases (`vmmsim trace gen phases`) under every built-in scheduler, with
#    and without --vcd, and once through vmmsim_bench; the example live swaps
#    and controller. Not the benchmark's configs: bench/ then measures the
#    build on workloads it was not trained on;
# 3. rebuilds both from that profile.
#
# The profile only moves code and branches: every output is the same byte for
# byte as any other build's (docs/performance.md "The profile-guided build").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-pgo}")
[ "$build" != "$root/build-release" ] || { echo "scripts/pgo.sh: build-release/ is the plain Release build's; name another directory" >&2; exit 2; }
cd "$root"
mkdir -p "$build"
jobs=$(nproc)

configure() {  # configure FLAGS: a Release build of vmmsim and the benchmark only
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -UCMAKE_PROJECT_INCLUDE \
        -DCMAKE_CXX_FLAGS="$1" -DCMAKE_C_FLAGS="$1" > "$build/pgo-configure.log" \
    || { cat "$build/pgo-configure.log" >&2; exit 1; }
}
build_targets() {
  cmake --build "$build" -j "$jobs" --target vmmsim vmmsim_bench > "$build/pgo-build.log" 2>&1 \
    || { tail -40 "$build/pgo-build.log" >&2; exit 1; }
}

echo "== scripts/pgo.sh: instrumented build in $build" >&2
# The counters of a run are written when it exits; stale ones would mix in.
find "$build" -name '*.gcda' -delete
configure "-fprofile-generate -fprofile-update=single"
build_targets

echo "== scripts/pgo.sh: training" >&2
train=$(mktemp -d)
trap 'rm -rf "$train"' EXIT
"$build/vmmsim" trace gen phases --seed 7 --cpus 16 --phases batch:1s,interactive:1s,periodic:1s --repeat 40 \
  -o "$train/t" --config "$train/t.ini" > /dev/null
mapfile -t schedulers < <("$build/vmmsim" list | awk '/^[a-z0-9_]+[[:space:]]/ {print $1}')
((${#schedulers[@]})) || { echo "scripts/pgo.sh: $build/vmmsim list named no scheduler" >&2; exit 1; }
for s in "${schedulers[@]}"; do
  opts=()
  [ "$s" = arinc653 ] && opts=(--set vm.batch.window=100us --set vm.shell.window=100us --set vm.rt.window=100us)
  "$build/vmmsim" run "$train/t.ini" --set "vmm.scheduler=$s" "${opts[@]}" > /dev/null
  "$build/vmmsim" run "$train/t.ini" --set "vmm.scheduler=$s" "${opts[@]}" --until 3s --vcd "$train/t.vcd" > /dev/null
done
"$build/bench/vmmsim_bench" case "$train/t.ini" --set vmm.scheduler=credit --warmup 1s --until 12s --min-cpu 0 > /dev/null
for config in configs/live-swap.ini configs/live-swap-staged.ini configs/controller.ini; do
  "$build/vmmsim" run "$config" > /dev/null
done

# Without counters the build below would be a plain one (-Wno-missing-profile).
[ -n "$(find "$build" -name '*.gcda' -print -quit)" ] \
  || { echo "scripts/pgo.sh: the training wrote no profile (*.gcda) in $build" >&2; exit 1; }

echo "== scripts/pgo.sh: optimized build from the profile" >&2
# -fprofile-partial-training: code the training did not reach keeps its
# usual optimization instead of being optimized for size as cold.
configure "-fprofile-use -fprofile-partial-training -Wno-missing-profile"
build_targets
echo "== scripts/pgo.sh: built $build/vmmsim and $build/bench/vmmsim_bench" >&2
