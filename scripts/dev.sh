#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/dev.sh run [CONFIG]   install what is missing, build, run CONFIG (default configs/default.ini)
#   scripts/dev.sh test           install what is missing, build, run the whole test suite (CTest)
#   scripts/dev.sh build          install what is missing and build
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake pkg-config libsystemc-dev libboost-program-options-dev libfmt-dev googletest libgtest-dev zlib1g-dev)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$(nproc)"
}

command=${1:-run}
shift || true
install_missing
build
case "$command" in
  run) exec build/vmmsim run "${1:-configs/default.ini}" "${@:2}" ;;
  test) exec ctest --test-dir build --output-on-failure -j "$(nproc)" ;;
  build) ;;
  *) echo "usage: scripts/dev.sh run [CONFIG] | test | build" >&2; exit 2 ;;
esac
