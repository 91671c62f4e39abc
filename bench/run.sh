#!/usr/bin/env bash
# vmmsim speed benchmark (docs/performance.md): builds Release into
# build-release/, measures the bare SystemC kernel (one SC_METHOD re-triggering
# itself), then runs every case, each in its own process (SystemC elaborates
# once per process), prints one line per case and writes bench/results.json.
#
#   bench/run.sh [--callgrind] [--pgo] [--only REGEX] [--repeat N] [--min-cpu SECONDS] [--no-build]
#
#   --callgrind   also count instructions (valgrind --tool=callgrind) for
#                 every medium policy that decides, small/credit, peer-4/credit2
#                 and the bare kernel, per request and per decision, and the
#                 medium policies' instructions inside and outside the policy:
#                 timing-noise-free figures (about 4 minutes more)
#   --pgo         measure the profile-guided build instead (scripts/pgo.sh,
#                 in build-pgo/; about 10 minutes to build on 2 cores): trained
#                 on other workloads than these cases; writes
#                 bench/results-pgo.json (with --only: build-pgo/bench-out/)
#   --only REGEX  run only the cases whose label (e.g. medium/credit+vcd) matches,
#                 and only those callgrind cases (the results then go to
#                 build-release/bench-out/results.json)
#   --repeat N    run the whole suite N times (default 3), interleaved; each
#                 figure is the best run's: on a shared host other processes
#                 only ever slow a run down
#   --min-cpu S   CPU seconds each case is measured for per run (default 1),
#                 after a 1 s simulated warm-up; the simulated duration is
#                 whatever the case reaches by then, capped per size
#   --no-build    use the existing build-release/ (with --pgo: build-pgo/)
#
# Cases: small (2 pCPUs, 8 vCPUs), medium (16, 128), large (64, 1024), huge
# (256, 4096), each under every built-in scheduler that `vmmsim list` shows;
# with --vcd for rr, bvt and credit; medium-swap (a replacement every
# 100 ms, rr <-> bvt) and medium-swap-staged (the same swaps, bvt staged
# 50 ms before each load: the same swap staged and unstaged); and peer-1, peer-4 (16 VMs of one vCPU on 1 and 4
# pCPUs, every VMM cost 0: the workload a plain discrete-event simulator can
# run too) under credit2 and rr; medium/rr@10kHz (rr at pit.hz 10000: the
# cost of ticks no policy needs). Then each policy's own code on medium and
# huge (vmmsim_bench policy: the calls of 10 s, on huge 2 s, after a 1 s
# warm-up, replayed alone).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

callgrind=0
only=
min_cpu=1
repeat=3
do_build=1
pgo=0
while [ $# -gt 0 ]; do
  case $1 in
    --callgrind) callgrind=1 ;;
    --pgo) pgo=1 ;;
    --only) only=$2; shift ;;
    --min-cpu) min_cpu=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --no-build) do_build=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

build=$root/build-release
build_kind="Release (-O3 -DNDEBUG)"
if [ $pgo = 1 ]; then
  build=$root/build-pgo
  build_kind="Release (-O3 -DNDEBUG) + PGO (scripts/pgo.sh)"
fi
out=$build/bench-out
bench=$build/bench/vmmsim_bench

# ------------------------------------------------------------------ build
if [ $do_build = 1 ] && [ $pgo = 1 ]; then
  scripts/pgo.sh "$build"
elif [ $do_build = 1 ]; then
  mkdir -p "$build"
  echo "== building Release in build-release/" >&2
  # CMAKE_CXX_FLAGS empty: no profile flags left in the cache from elsewhere.
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -UCMAKE_PROJECT_INCLUDE \
        -DCMAKE_CXX_FLAGS= -DCMAKE_C_FLAGS= > "$build/bench-configure.log" \
    || { cat "$build/bench-configure.log" >&2; exit 1; }
  cmake --build "$build" -j "$(nproc)" --target vmmsim vmmsim_bench > "$build/bench-build.log" 2>&1 \
    || { tail -40 "$build/bench-build.log" >&2; exit 1; }
fi
[ -x "$bench" ] || { echo "bench/run.sh: $bench missing (build first)" >&2; exit 1; }

mkdir -p "$out"
runs=$out/runs.jsonl
: > "$runs"

# ------------------------------------------------------------------ cases
# Built-in schedulers, as `vmmsim list` shows them: rr, bvt, credit first.
mapfile -t listed < <("$build/vmmsim" list | awk '/^[a-z0-9_]+[[:space:]]/ {print $1}')
policies=()
for p in rr bvt credit; do
  for l in "${listed[@]}"; do [ "$l" = "$p" ] && policies+=("$p"); done
done
for l in "${listed[@]}"; do
  case " ${policies[*]} " in *" $l "*) ;; *) policies+=("$l") ;; esac
done
vcd_policies=" rr bvt credit "

# Every case first runs 1 s of simulated time that is not measured (the
# warm-up: each vCPU's first waits grow its histograms, queues fill), then
# the measured window: until it has run --min-cpu seconds of CPU time, or
# reached this simulated-time cap.
warmup=1s
# (fifo is the fast one: its CPU-bound vCPUs keep their pCPUs for ever.)
declare -A cap=([small]=36000s [medium]=7200s [large]=3600s [huge]=1200s [medium-swap]=399s [medium-swap-staged]=399s
                [peer-1]=36000s [peer-4]=36000s)
# The simulated time whose calls a policy replay records: huge 2 s (10^5 to
# 10^6 decisions), not 10: huge/eevdf's 10 s of calls took 1.6 GiB.
declare -A replay_window=([medium]=10s [huge]=2s)

# Extra options a policy needs to do anything useful on these workloads.
policy_opts() {
  case $1 in
    arinc653) echo "--each-vm window=100us" ;;  # default window 0: never runs
    *) echo "" ;;
  esac
}

selected() { [ -z "$only" ] || [[ $1 =~ $only ]]; }

# run LABEL SIZE [vmmsim_bench case options...]: one process, one JSON line.
run_case() {
  local label=$1 size=$2
  shift 2
  local line
  if ! line=$("$bench" case "bench/configs/$size.ini" --warmup "$warmup" --until "${cap[$size]}" --min-cpu "$min_cpu" \
                 "$@" 2> "$out/last.err"); then
    echo "$label: FAILED: $(head -c 300 "$out/last.err")" >&2
    printf '{"label": "%s", "size": "%s", "failed": true}\n' "$label" "$size" >> "$runs"
    return 0
  fi
  printf '{"label": "%s", "size": "%s", "result": %s}\n' "$label" "$size" "$line" >> "$runs"
  "$bench" summarize "$runs" --line "$label"
}

started=$(date +%s)
for ((rep = 1; rep <= repeat; rep++)); do
  echo "== run $rep/$repeat, $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  baseline=$("$bench" baseline)
  printf '{"label": "baseline", "result": %s}\n' "$baseline" >> "$runs"
  "$bench" summarize "$runs" --line baseline

  for size in small medium large huge; do
    for p in "${policies[@]}"; do
      if selected "$size/$p"; then
        # shellcheck disable=SC2046
        run_case "$size/$p" "$size" --set "vmm.scheduler=$p" $(policy_opts "$p")
      fi
      if [[ $vcd_policies == *" $p "* ]] && selected "$size/$p+vcd"; then
        # shellcheck disable=SC2046
        run_case "$size/$p+vcd" "$size" --set "vmm.scheduler=$p" $(policy_opts "$p") --vcd "$out/$size-$p.vcd"
        rm -f "$out/$size-$p.vcd"
      fi
    done
  done
  if selected "medium-swap/rr+bvt"; then run_case "medium-swap/rr+bvt" medium-swap; fi
  if selected "medium-swap-staged/rr+bvt"; then run_case "medium-swap-staged/rr+bvt" medium-swap-staged; fi
  # rr has no tick op: at 10 kHz it must cost what it costs at 1 kHz (the
  # unneeded ticks are not simulated; the "unneeded PIT tick" target).
  if selected "medium/rr@10kHz"; then run_case "medium/rr@10kHz" medium --set vmm.scheduler=rr --set pit.hz=10000; fi
  # Each policy's own code: its calls in a medium and a huge run, replayed
  # alone (vmmsim_bench policy; fifo makes no decision).
  for size in medium huge; do
    for p in "${policies[@]}"; do
      [ "$p" = fifo ] && continue
      selected "$size/$p" || continue
      # shellcheck disable=SC2046
      if line=$("$bench" policy "bench/configs/$size.ini" --set "vmm.scheduler=$p" $(policy_opts "$p") \
                  --until "${replay_window[$size]}" 2> "$out/last.err"); then
        printf '{"label": "policy", "case": "%s/%s", "result": %s}\n' "$size" "$p" "$line" >> "$runs"
        "$bench" summarize "$runs" --line policy
      else
        echo "policy $size/$p: FAILED: $(head -c 300 "$out/last.err")" >&2
        printf '{"label": "policy", "case": "%s/%s", "failed": true}\n' "$size" "$p" >> "$runs"
      fi
    done
  done
  for size in peer-1 peer-4; do
    for p in credit2 rr; do
      [[ " ${policies[*]} " == *" $p "* ]] || continue
      if selected "$size/$p"; then run_case "$size/$p" "$size" --set "vmm.scheduler=$p"; fi
    done
  done
done

# ------------------------------------------------------------------ callgrind
if [ $callgrind = 1 ]; then
  command -v valgrind > /dev/null || { echo "bench/run.sh: --callgrind needs valgrind" >&2; exit 1; }
  # Instruction counts at two lengths; the difference divided by the extra
  # requests (decisions, activations) is the steady-state cost, free of
  # start-up.
  cg() {  # cg NAME ARGS... -> Ir of the whole process
    local file=$out/callgrind.$1.out
    shift
    valgrind --tool=callgrind --callgrind-out-file="$file" "$bench" "$@" > "$file.stdout" 2> "$file.log"
    awk '/^summary:/ {print $2}' "$file"
  }
  # The instructions inside the policy: the inclusive counts of the entry
  # points of its ops table (policy_ops<...>::{lambda}::_FUN; none calls another).
  policy_ir() {
    # --auto=no: with debug info the annotated sources' call lines would count twice.
    # null, not 0, when nothing matched (an inlined entry point, a failed annotate).
    callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$1" 2> /dev/null |
      awk '/policy_ops<.*::_FUN\(/ {gsub(",", "", $1); ir += $1; n++} END {if (n) printf "%.0f", ir; else printf "null"}'
  }
  cg_case() {  # cg_case SIZE POLICY UNTIL -> JSON fields
    local ir
    # shellcheck disable=SC2046
    ir=$(cg "$1-$2-$3" case "bench/configs/$1.ini" --set "vmm.scheduler=$2" $(policy_opts "$2") --until "$3")
    printf '"ir": %s, "policy_ir": %s, "run": %s' "$ir" "$(policy_ir "$out/callgrind.$1-$2-$3.out")" \
      "$(cat "$out/callgrind.$1-$2-$3.out.stdout")"
  }
  # SIZE:POLICY:SHORT:LONG simulated times: 0.6-2*10^5 requests in the short
  # run, twice as many in the long one (medium/rr serves 10x fewer requests
  # per simulated second than medium/credit: its CPU-bound vCPUs keep their
  # pCPUs for whole 10 ms quanta).
  # Every medium policy that decides, so that the instructions outside the
  # policy are counted beside each.
  cg_specs=(small:credit:20s:40s medium:credit:2s:4s medium:rr:10s:20s peer-4:credit2:10s:20s
            medium:bvt:2s:4s medium:credit2:2s:4s medium:rtds:8s:16s medium:arinc653:6s:12s medium:eevdf:2s:4s)
  echo "== callgrind: bare kernel (10^5 and 10^6 activations), ${cg_specs[*]}" >&2
  b_short=$(cg baseline-1e5 baseline --activations 100000 --chunks 1)
  b_long=$(cg baseline-1e6 baseline --activations 1000000 --chunks 1)
  for spec in "${cg_specs[@]}"; do
    IFS=: read -r size p t_short t_long <<< "$spec"
    selected "$size/$p" || continue
    short=$(cg_case "$size" "$p" "$t_short")
    long=$(cg_case "$size" "$p" "$t_long")
    printf '{"label": "callgrind", "case": "%s/%s", "short": {%s}, "long": {%s}, "baseline_short": {"activations": 100000, "ir": %s}, "baseline_long": {"activations": 1000000, "ir": %s}}\n' \
      "$size" "$p" "$short" "$long" "$b_short" "$b_long" >> "$runs"
    "$bench" summarize "$runs" --line callgrind
  done
fi

# ------------------------------------------------------------------ results
cxx=$(awk -F= '/^CMAKE_CXX_COMPILER:/ {print $2}' "$build/CMakeCache.txt")
echo "== figures (best of $repeat runs; suite took $(( $(date +%s) - started )) s)" >&2
# A partial run (--only) does not replace the suite's bench/results.json.
results=bench/results.json
[ $pgo = 0 ] || results=bench/results-pgo.json
[ -z "$only" ] || results=$out/results.json
"$bench" summarize "$runs" --all --targets --out "$results" \
  --machine "cpu=$(awk -F': ' '/^model name/ {m=$2} /^cpu family/ {f=$2} /^model\t/ {n=$2}
                     /^cpu MHz/ {h=$2} /^cache size/ {c=$2} /^flags/ {v=($0 ~ / hypervisor/) ? ", virtual machine" : ""}
                     END {printf "%s (family %s model %s, %.0f MHz, %s cache%s)", m, f, n, h, c, v}' /proc/cpuinfo)" \
  --machine "cores=$(nproc)" \
  --machine "memory=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" \
  --machine "kernel=$(uname -sr)" \
  --machine "compiler=$("$cxx" --version | head -1)" \
  --machine "systemc=$(pkg-config --modversion systemc 2> /dev/null || echo unknown)" \
  --machine "build=$build_kind" \
  --machine "date=$(date -u +%FT%TZ)" \
  --machine "load_average=$(cut -d' ' -f1-3 /proc/loadavg)" \
  --machine "min_cpu_s=$min_cpu" \
  --machine "repeats=$repeat" \
  --machine "suite_s=$(( $(date +%s) - started ))" \
  --machine "git=$(git rev-parse --short HEAD 2> /dev/null || echo none)$(git diff --quiet HEAD 2> /dev/null || echo +dirty)"
echo "== wrote $results (every run: $runs)" >&2
