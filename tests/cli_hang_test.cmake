# End to end: runs that cannot hang, durations that cannot wrap, and memory
# (docs/robustness.md "Runs that cannot hang"), as a user meets them on the
# CLI: every bad case is one line on stderr with its exit code, and no run
# waits for ever (cli_helpers' vmmsim() stops a run after 5 minutes, a guard
# only: before these fixes the stalled runs never ended). Messages name the
# configs and traces by the absolute paths given.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

set(zero_costs "[vmm]\nvm_exit = 0\nvm_entry = 0\nhypercall = 0\ncontext_switch = 0\n[activation]\nid_register_dispatch = 0\n[memory]\nrefill_bandwidth = 0\nremote_refill_bandwidth = 0\n")
file(WRITE ${WORK}/ok.trace "vcpu 0\n  run 1ms\n  io 1ms\n")
file(WRITE ${WORK}/hog.trace "vcpu 0\n  repeat forever\n    run 1ms\n  end\n")

# Durations past what SystemC time holds are refused, naming the largest.
set(at_most "expected a duration of at most 2305843009213693 cycles (2305843.009s at 1GHz)")
file(WRITE ${WORK}/c_cs.ini "[vm.a]\ntrace = ok.trace\n[vmm]\ncontext_switch = 18446744073709551615\n")
expect_bad_input("${WORK}/c_cs.ini:4: [vmm] context_switch = '18446744073709551615': ${at_most}" run ${WORK}/c_cs.ini)
file(WRITE ${WORK}/c_exit.ini "[vm.a]\ntrace = ok.trace\n[vmm]\nvm_exit = 4611686018427387904\n")
expect_bad_input("${WORK}/c_exit.ini:4: [vmm] vm_exit = '4611686018427387904': ${at_most}" run ${WORK}/c_exit.ini)
file(WRITE ${WORK}/c_ok.ini "[vm.a]\ntrace = ok.trace\n")
expect_bad_input("--until 99999999999999999999s: ${at_most}" run ${WORK}/c_ok.ini --until 99999999999999999999s)
file(WRITE ${WORK}/c_wd.ini "[vm.a]\ntrace = ok.trace\n[vmm]\nwatchdog = 1\n")
expect_bad_input("${WORK}/c_wd.ini:4: [vmm] watchdog = '1': expected 0 (off) or a duration of at least 1ms (1000000 cycles)"
                 run ${WORK}/c_wd.ini)

# A vCPU whose steps take no time, every cost 0: 10^18 yields at one cycle.
file(WRITE ${WORK}/yields.trace "vcpu 0\n  run 1ms\n  repeat 1000000000\n    repeat 1000000000\n      yield\n    end\n  end\n")
file(WRITE ${WORK}/c_yields.ini "${zero_costs}[vm.a]\ntrace = yields.trace\n")
expect_bad_input("${WORK}/yields.trace:5: vCPU a.0 takes no simulated time: more than 1002000 requests and steps at cycle 1000000; expected a step that takes time (run, io or sleep above 0) in each loop, or a non-zero [vmm] vm_exit, vm_entry or hypercall"
                 run ${WORK}/c_yields.ini --json ${WORK}/out.json --vcd ${WORK}/out.vcd --timeline ${WORK}/out.timeline.json)
file(GLOB left ${WORK}/out*)
if(left)
  message(FATAL_ERROR "a stalled run left outputs: ${left}")
endif()

# Nested repeats of `run 0` do nothing: the run ends at once.
file(WRITE ${WORK}/runzero.trace "vcpu 0\n  repeat 1000000000\n    repeat 1000000000\n      run 0\n    end\n  end\n  run 1ms\n")
file(WRITE ${WORK}/c_runzero.ini "${zero_costs}[vm.a]\ntrace = runzero.trace\n")
vmmsim(0 out err run ${WORK}/c_runzero.ini)
expect_match("${out}" "simulated 1000000 cycles" "the program ran its 1 ms and ended")

# A plugin that hands out zero-length slices is ejected; the run goes on.
file(WRITE ${WORK}/c_zero_slices.ini "${zero_costs}[vm.a]\ntrace = hog.trace\n[run]\nuntil = 20ms\n")
vmmsim(0 out err run ${WORK}/c_zero_slices.ini --swap 1ms:${PLUGINS}/vmmsim_broken.so,fault=7,after=0)
expect_match("${out}" "ejected broken: broken handed out zero-length slices on cpu0: more than 1002000 requests at cycle [0-9]+ without simulated time passing"
             "the ejection and its reason")
expect_match("${out}" "simulated 20000000 cycles" "the run went on to its end")

# 4096 vCPUs replay one trace of 1,000,000 steps: one copy of it is shared
# (std::bad_alloc before).
string(REPEAT "  run 1us\n" 999999 steps)
file(WRITE ${WORK}/big.trace "vcpu 0\n${steps}")
file(WRITE ${WORK}/c_big.ini "[platform]\ncpus = 4\n[vm.x]\nvcpus = 4096\ntrace = big.trace\n[run]\nuntil = 1ms\n")
vmmsim(0 out err run ${WORK}/c_big.ini)
expect_match("${out}" "simulated 1000000 cycles" "4096 vCPUs of a 1,000,000-step trace ran")

# Out of memory: one line naming what was too big, exit 71 (EX_OSERR).
# ulimit -v cannot be combined with the sanitizers (they reserve terabytes
# of address space): that build skips this case.
if(NOT SANITIZED)
  set(vms "[platform]\ncpus = 4\n[run]\nuntil = 1ms\n")
  foreach(i RANGE 299)
    string(APPEND vms "[vm.v${i}]\nvcpus = 4096\ntrace = ok.trace\n")
  endforeach()
  file(WRITE ${WORK}/c_huge.ini "${vms}")
  execute_process(COMMAND sh -c "ulimit -v 300000 && exec \"$0\" run c_huge.ini" ${VMMSIM}
                  WORKING_DIRECTORY ${WORK} TIMEOUT 300 RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code STREQUAL "71")
    message(FATAL_ERROR "out of memory: exit ${code}, expected 71\n${err}")
  endif()
  expect_match("${err}" "^vmmsim: out of memory while [a-z ]+c_huge.ini \\(4 pCPUs, 1228800 vCPUs\\); expected a smaller input or more memory\n$"
               "one line naming what was too big")
endif()
