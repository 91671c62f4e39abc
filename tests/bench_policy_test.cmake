# vmmsim_bench policy (bench/policy_replay.h): the calls a run makes into a
# built-in policy, replayed alone on a fresh instance, give back every
# recorded answer (pick_next's vCPU and slice, wake's pCPU, tick's, the
# priorities), so the policy's own cost per decision is measured on exactly
# the run's work. A policy that kept state the calls do not carry, or a
# recording that missed a call, makes the replay diverge: exit 2.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
set(small ${CMAKE_CURRENT_LIST_DIR}/../bench/configs/small.ini)
# Yields and exits (remove) too, which the bench configs never do.
set(yielding ${CMAKE_CURRENT_LIST_DIR}/data/policy_replay/yield_exit.ini)
set(VMMSIM ${BENCH})

function(decisions_of text out_var)
  string(REGEX MATCH "\"decisions\": ([0-9]+)," found "${text}")
  set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

# Every built-in that decides (fifo never does on these configs).
foreach(policy rr bvt credit credit2 rtds eevdf arinc653)
  set(extra)
  if(policy STREQUAL "arinc653")
    set(extra --each-vm window=100us)
  endif()
  foreach(config ${small} ${yielding})
    set(window --warmup 100ms --until 900ms)
    vmmsim(0 out err policy ${config} --set vmm.scheduler=${policy} ${window} --repeat 1 ${extra})
    expect_match("${out}" "\"scheduler\": \"${policy}\"" "policy ${policy}")
    expect_match("${out}" "\"policy_ns_per_decision\": [0-9.]*[1-9]" "policy ${policy}: a figure")
    if(config STREQUAL "${yielding}")
      if(NOT out MATCHES "\"yield\": [1-9]" OR NOT out MATCHES "\"remove\": [1-9]")
        message(FATAL_ERROR "policy ${policy}: ${config} replayed no yield or no remove:\n${out}")
      endif()
    endif()
    # The recording changes nothing the VMM does: as many decisions as the
    # plain case makes in the same window.
    decisions_of("${out}" replayed)
    vmmsim(0 case_out case_err case ${config} --set vmm.scheduler=${policy} ${window} --min-cpu 0 ${extra})
    decisions_of("${case_out}" plain)
    if(NOT replayed STREQUAL plain OR replayed STREQUAL "" OR replayed EQUAL 0)
      message(FATAL_ERROR "policy ${policy} on ${config}: ${replayed} decisions replayed, the case made ${plain}")
    endif()
    # The VMM still skips the ticks of a policy without a tick entry.
    if((policy STREQUAL "rr" OR policy STREQUAL "bvt" OR policy STREQUAL "arinc653") AND out MATCHES "\"tick\":")
      message(FATAL_ERROR "policy ${policy}: the recording made the VMM tick a policy without a tick entry:\n${out}")
    endif()
  endforeach()
endforeach()

# Bad input, or nothing to measure: one line, exit 2.
expect_bad_input("policy: --repeat 0: a whole number from 1 to 1000" policy ${small} --repeat 0)
expect_bad_input("policy: --repeat 4294967296: a whole number from 1 to 1000" policy ${small} --repeat 4294967296)
expect_bad_input("policy: --until 0s: must be more than 0" policy ${small} --until 0s)
expect_bad_input("policy: --until needs a value" policy ${small} --until)
expect_bad_input("policy: fifo made no decision after the warm-up; there is nothing to measure per decision"
                   policy ${small} --set vmm.scheduler=fifo --until 1s)
# A run that loads another instance (the service VM's sched-load requests here).
expect_bad_input("policy: the run created 2 instances of credit; the replay needs one"
                   policy ${CMAKE_CURRENT_LIST_DIR}/../configs/live-swap.ini)
