#!/usr/bin/env bash
# A sweep through a real Slurm (docs/sweeps.md "On a Slurm cluster"): installs
# Debian's slurm-wlm and munge when missing, starts munged, slurmctld and
# slurmd on this machine (one node, all state in a temporary folder), submits
# the sweep's slurm.sbatch as a job array, waits for it, collects, and checks
# the table, CSV and JSON byte for byte against `vmmsim compare` of the same
# runs. Daemons that cannot start, or packages that cannot be installed, make
# the test SKIP (exit 77, CTest's SKIP_RETURN_CODE) with the reason: never a
# silent pass.
#   tests/sweep_slurm_test.sh VMMSIM WORK
set -uo pipefail
VMMSIM=$1
WORK=$2
SKIP=77
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sweep_test_lib.sh"

skip() { echo "SKIP: $*"; exit $SKIP; }

[ "$(id -u)" -eq 0 ] || skip "the single-node Slurm of this test runs its daemons as root (SlurmUser=root); run it as root"
need_packages slurm-wlm munge || skip "cannot install slurm-wlm and munge (not root, no password-less sudo, or no package source)"
for tool in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v $tool >/dev/null || skip "$tool is not installed"
done

rm -rf "$WORK"
mkdir -p "$WORK"
state=$(mktemp -d /tmp/vmmsim-slurm.XXXXXX)  # short: a socket's path is at most 107 bytes
chmod 700 "$state"
pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$state"
}
trap stop_daemons EXIT

# A daemon that did not come up: why, from its log, then SKIP.
cannot_start() {
  echo "--- $2 ---"
  tail -n 20 "$2" 2>/dev/null
  skip "$1 did not start on this machine (its log above)"
}

# munged with a key and socket of its own (not the system's).
mkdir -p "$state/munge"
chmod 700 "$state/munge"
dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge/munge.key"
socket=$state/munge/socket
munged --force --socket="$socket" --key-file="$state/munge/munge.key" --pid-file="$state/munge/munged.pid" \
       --log-file="$state/munge/munged.log" --seed-file="$state/munge/munged.seed" 2>"$state/munge/start.err" ||
  cannot_start munged "$state/munge/start.err"
for _ in $(seq 100); do [ -s "$state/munge/munged.pid" ] && break; sleep 0.1; done
[ -s "$state/munge/munged.pid" ] || cannot_start munged "$state/munge/munged.log"
pids+=("$(cat "$state/munge/munged.pid")")

# Two free ports for slurmctld and slurmd.
free_port() {
  local port
  for port in $(seq "$1" $(($1 + 200))); do
    ss -ltn "( sport = :$port )" | grep -q ":$port " || { echo "$port"; return; }
  done
  return 1
}
ctld_port=$(free_port 16817) && slurmd_port=$(free_port $((ctld_port + 1))) || skip "no free TCP port for slurmctld and slurmd"
memory=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
mkdir -p "$state/ctld" "$state/spool"
export SLURM_CONF=$state/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=vmmsim-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -c -f "$SLURM_CONF" >"$state/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$state/slurmd.out" 2>&1 &
pids+=($!)
# Up when the node takes jobs (idle); a daemon that died says why in its log.
for _ in $(seq 300); do
  state_now=$(sinfo -h -n localhost -o %t 2>/dev/null)
  case $state_now in idle*|mix*|alloc*) break ;; esac
  kill -0 "${pids[1]}" 2>/dev/null || cannot_start slurmctld "$state/slurmctld.log"
  kill -0 "${pids[2]}" 2>/dev/null || cannot_start slurmd "$state/slurmd.log"
  sleep 0.2
done
case $state_now in idle*|mix*|alloc*) ;; *) echo "node state: '$state_now'"; cannot_start "the Slurm node" "$state/slurmd.log" ;; esac

# The sweep: 2 configs x 3 schedulers, 2 runs per array task (3 tasks).
make_sweep_inputs "$WORK"
cd "$WORK"
"$VMMSIM" sweep plan "${sweep_args[@]}" --chunk 2 --max-running 2 --out "$WORK/sweep" >plan.out || fail "sweep plan failed"
grep -q '^#SBATCH --array=0-2%2$' sweep/slurm.sbatch || fail "slurm.sbatch: no array 0-2%2: $(cat sweep/slurm.sbatch)"
job=$(sbatch --parsable sweep/slurm.sbatch) || fail "sbatch refused the script"
job=${job%%;*}
echo "submitted job array $job"
# Waits until no task of the array is pending or running (a safety net of
# 10 minutes against a hang, not a timed assertion).
for _ in $(seq 3000); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "job $job still queued after 10 minutes: $(squeue -j "$job")"
states=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr '\n' ' ')
echo "array tasks: $states"
ls sweep/logs
"$VMMSIM" sweep status sweep || { cat sweep/logs/*; fail "not every run is done after the job array"; }
compare_with_local "$WORK/sweep" "$WORK/local"
echo "OK: the Slurm job array $job ran $(wc -l < sweep/manifest.jsonl) runs in 3 array tasks; table, CSV and JSON equal vmmsim compare's byte for byte"
