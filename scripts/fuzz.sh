#!/usr/bin/env bash
# Builds one libFuzzer target of the parsers and fuzzes it (docs/robustness.md).
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]
# TARGET: config, trace, ftrace, swf or utilization. SECONDS: default 60.
# Needs clang and its libFuzzer runtime (Debian 12: clang libclang-rt-14-dev);
# no SystemC. Builds into build-fuzz/, grows the corpus in
# build-fuzz/corpus/TARGET/ (the seeds in tests/fuzz/corpus/TARGET/ are only
# read) and leaves crash reproducers in build-fuzz/findings/TARGET/. A finding
# goes into tests/fuzz/corpus/TARGET/ under a readable name, with its fix.
set -euo pipefail
cd "$(dirname "$0")/.."

targets="config trace ftrace swf utilization"
target=${1:-}
if [ -z "$target" ] || [[ " $targets " != *" $target "* ]]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]; TARGET: ${targets// /, }" >&2
  exit 2
fi
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))

cxx=${CXX:-$(command -v clang++ || command -v clang++-14 || true)}
cc=${CC:-$(command -v clang || command -v clang-14 || true)}
[ -n "$cxx" ] || { echo "scripts/fuzz.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

cmake -S . -B build-fuzz -DVMMSIM_FUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build build-fuzz -j2 --target "fuzz_$target"

seeds=tests/fuzz/corpus/$target
work=build-fuzz/corpus/$target
findings=build-fuzz/findings/$target
mkdir -p "$work" "$findings"
dict=()
[ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
# The trace parser takes lines of at most 4096 characters: longer inputs
# would only test that limit.
max_len=16384
[ "$target" = trace ] && max_len=4096
exec "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -max_len="$max_len" -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/" \
  "${dict[@]}" "$@" "$work" "$seeds"
