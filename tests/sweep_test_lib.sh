# Shared by tests/sweep_parallel_test.sh and tests/sweep_slurm_test.sh: the
# packages, the small sweep, and the check against `vmmsim compare`.

fail() { echo "FAIL: $*"; exit 1; }

# need_packages PACKAGE...: installs those missing (as root, or with
# password-less sudo); false if that cannot be done.
need_packages() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then sudo -n true 2>/dev/null || return 1; sudo="sudo -n"; fi
  echo "installing: ${missing[*]}"
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null 2>&1
}

# make_sweep_inputs DIR: two small configs in DIR and `sweep_args`, the
# runs both the sweep and compare get (6 runs of 40 ms).
make_sweep_inputs() {
  printf 'vcpu 0\n  repeat 20\n    run 1ms\n    io 1ms\n  end\n' >"$1/short.trace"
  printf 'vcpu 0\n  repeat forever\n    run 3ms\n    yield\n  end\n' >"$1/hog.trace"
  printf '[platform]\ncpus = 1\n[vm.a]\ntrace = short.trace\n[vm.b]\ntrace = hog.trace\n' >"$1/one.ini"
  printf '[platform]\ncpus = 2\n[vm.a]\ntrace = short.trace\nvcpus = 2\n[vm.b]\ntrace = hog.trace\n' >"$1/two.ini"
  sweep_args=(one.ini two.ini --schedulers rr,credit,bvt --until 40ms)
}

# compare_with_local SWEEP LOCAL: collects SWEEP, runs `vmmsim compare` of
# the same runs into LOCAL (from the folder the sweep was planned in), and
# checks that the table, compare.csv and compare.json are the same bytes, and
# compare.html too but for its title (the folder's name).
compare_with_local() {
  "$VMMSIM" sweep collect "$1" >"$1.table" || fail "sweep collect failed"
  "$VMMSIM" compare "${sweep_args[@]}" --jobs 2 --out "$2" >"$2.table" 2>"$2.err" || fail "compare failed: $(cat "$2.err")"
  sed -i '/^written: /d' "$1.table" "$2.table"
  cmp "$1.table" "$2.table" || { diff "$1.table" "$2.table"; fail "the collected table is not compare's"; }
  local f
  for f in compare.csv compare.json; do
    cmp "$1/$f" "$2/$f" || fail "$f differs from compare's"
  done
  cmp <(sed 's|vmmsim sweep: [^<"]*|TITLE|' "$1/compare.html") <(sed 's|vmmsim compare: [^<"]*|TITLE|' "$2/compare.html") ||
    fail "compare.html differs from compare's beyond its title"
}
