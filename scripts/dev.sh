#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/dev.sh run [CONFIG]   install what is missing, build vmmsim alone, run CONFIG (default configs/default.ini)
#   scripts/dev.sh test           install what is missing, build, run the whole test suite (CTest)
#   scripts/dev.sh build          install what is missing and build
#   scripts/dev.sh sanitize       the same suite built with ASan+UBSan in build-asan/ (docs/robustness.md)
#   scripts/dev.sh clang          the same suite built with clang++ in build-clang/ (docs/robustness.md)
set -euo pipefail
cd "$(dirname "$0")/.."

# What building and running vmmsim needs (`run` installs only these, so that
# the first result does not wait for the test tools).
packages=(g++ cmake pkg-config libsystemc-dev libboost-program-options-dev libfmt-dev googletest libgtest-dev zlib1g-dev
          nlohmann-json3-dev)
# What the test suite adds (`test`, `build`, `sanitize`, `clang`):
# help2man: the man pages `cmake --install` installs (tests/cli_install_test.cmake);
# nodejs, eslint, node-css-tree, chromium: the compare page's lint and browser tests (docs/compare-report.md);
# the timeline's trace-engine test also needs npm, which this machine's Node.js brings (it skips without);
# bsdutils: script(1), the pseudo-terminal of the cli_progress test (Essential on Debian; listed to be sure);
# gtkwave, xvfb, xauth: GTKWave's vcd2fst, fst2vcd and gtkwave under xvfb-run on --vcd's files (tests/cli_vcd_fst_test.cmake);
# parallel, slurm-wlm, munge: vmmsim sweep through GNU parallel and a single-node Slurm (tests/sweep_*_test.sh).
test_packages=(help2man bsdutils nodejs eslint node-css-tree chromium gtkwave xvfb xauth parallel slurm-wlm munge)
# What `clang` adds: the second compiler (Debian 12's clang 14).
clang_packages=(clang)

# install_missing PACKAGE...: apt-get installs those not installed yet.
install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# build [TARGET...]: everything, or only what a command needs (`run` builds
# vmmsim alone: the first result comes without building the tests).
build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build build -j "$(nproc)" "${targets[@]}"
}

# suite DIR CMAKE_ARGS...: every target built in DIR (RelWithDebInfo, with
# CMAKE_ARGS), then the whole CTest suite there.
suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
}

# Address and undefined-behaviour sanitizers over the project's code (gcc);
# libsystemc stays uninstrumented. Any finding fails its test.
sanitize() {
  local flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  # libsystemc (not instrumented) runs each SC_THREAD on a coroutine stack of
  # its own that ASan is not told about: no fake stacks for use-after-return
  # there. LeakSanitizer's scan of thread stacks faults (SIGSEGV in its
  # tracer) in every SystemC process, so it scans heap, globals, TLS and
  # registers only: leaks are still found, none is suppressed.
  export ASAN_OPTIONS="detect_stack_use_after_return=0:abort_on_error=1:strict_string_checks=1"
  export LSAN_OPTIONS="use_stacks=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  suite build-asan -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined"
}

command=${1:-run}
shift || true
case "$command" in
  run) install_missing "${packages[@]}" ;;
  clang) install_missing "${packages[@]}" "${test_packages[@]}" "${clang_packages[@]}" ;;
  *) install_missing "${packages[@]}" "${test_packages[@]}" ;;
esac
case "$command" in
  sanitize) sanitize; exit ;;
  # The whole suite built by clang++ (libsystemc and the other libraries stay
  # Debian's, built by gcc): code only one compiler takes is a defect, caught
  # here (clang 14 refused what gcc 12 took in vmm/replacement.cpp). A
  # warning fails it too: -Wall -Wextra stay clean under both compilers.
  clang) suite build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS=-Werror; exit ;;
esac
if [ "$command" = run ]; then build vmmsim; else build; fi
case "$command" in
  run) exec build/vmmsim run "${1:-configs/default.ini}" "${@:2}" ;;
  test) exec ctest --test-dir build --output-on-failure -j "$(nproc)" ;;
  build) ;;
  *) echo "usage: scripts/dev.sh run [CONFIG] | test | build | sanitize | clang" >&2; exit 2 ;;
esac
