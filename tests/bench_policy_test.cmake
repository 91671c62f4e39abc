# vmmsim_bench policy (bench/policy_replay.h): the calls a run makes into a
# built-in policy, replayed alone on a fresh instance, give back every
# recorded answer (pick_next's vCPU and slice, wake's pCPU, tick's, the
# priorities), so the policy's own cost per decision is measured on exactly
# the run's work. A policy that kept state the calls do not carry, or a
# recording that missed a call, makes the replay diverge: exit 2.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
set(small ${CMAKE_CURRENT_LIST_DIR}/../bench/configs/small.ini)
set(VMMSIM ${BENCH})

foreach(policy rr bvt credit credit2 rtds eevdf arinc653)
  set(extra)
  if(policy STREQUAL "arinc653")
    set(extra --each-vm window=100us)
  endif()
  vmmsim(0 out err policy ${small} --set vmm.scheduler=${policy} --until 1500ms --warmup 500ms --repeat 1 ${extra})
  expect_match("${out}" "\"scheduler\": \"${policy}\"" "policy ${policy}")
  expect_match("${out}" "\"decisions\": [1-9][0-9]*," "policy ${policy}: decisions replayed")
  expect_match("${out}" "\"policy_ns_per_decision\": [0-9.]*[1-9]" "policy ${policy}: a figure")
  # The VMM still skips the ticks of a policy without a tick entry.
  if(policy STREQUAL "rr" OR policy STREQUAL "bvt")
    if(out MATCHES "\"tick\":")
      message(FATAL_ERROR "policy ${policy}: the recording made the VMM tick a policy without a tick entry:\n${out}")
    endif()
  endif()
endforeach()

# Bad input: one line, exit 2.
function(expect_bench_error line)
  vmmsim(2 out err ${ARGN})
  if(NOT err STREQUAL "vmmsim_bench: ${line}\n")
    message(FATAL_ERROR "vmmsim_bench ${ARGN}:\n  stderr '${err}'\n  expected 'vmmsim_bench: ${line}\n'")
  endif()
endfunction()
expect_bench_error("policy: --repeat 0: a whole number of at least 1" policy ${small} --repeat 0)
expect_bench_error("policy: --warmup 2s: not before --until" policy ${small} --until 1s --warmup 2s)
# A run that loads another instance (the service VM's sched-load requests here).
expect_bench_error("policy: the run created 2 instances of credit; the replay needs one"
                   policy ${CMAKE_CURRENT_LIST_DIR}/../configs/live-swap.ini)
