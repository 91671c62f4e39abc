#!/usr/bin/env bash
# Writes every output of vmmsim (text report, JSON, timeline, VCD, exit code)
# for each example and bench config under each built-in scheduler into OUTDIR,
# so that two builds can be compared byte for byte:
#   scripts/outputs.sh build-before/vmmsim /tmp/before
#   scripts/outputs.sh build/vmmsim /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
# Run it from the repository root (the JSON names the config by its path).
set -euo pipefail
bin=${1:?usage: scripts/outputs.sh VMMSIM OUTDIR [UNTIL]}
out=${2:?usage: scripts/outputs.sh VMMSIM OUTDIR [UNTIL]}
until=${3:-300ms}
mkdir -p "$out"
schedulers=$("$bin" list | awk '/^[a-z0-9]+ / {print $1}')
for config in configs/*.ini bench/configs/small.ini bench/configs/medium.ini bench/configs/medium-swap.ini; do
  for s in $schedulers; do
    name="$(echo "${config%.ini}" | tr / _)-$s"
    rc=0
    "$bin" run "$config" --set "vmm.scheduler=$s" --until "$until" --json "$out/$name.json" \
      --timeline "$out/$name.timeline.json" --vcd "$out/$name.vcd" >"$out/$name.txt" 2>"$out/$name.err" || rc=$?
    echo "$rc" >"$out/$name.rc"
    # Without tracing too: an observer must change no result.
    "$bin" run "$config" --set "vmm.scheduler=$s" --until "$until" --json "$out/$name.untraced.json" >/dev/null 2>&1 || true
  done
done
