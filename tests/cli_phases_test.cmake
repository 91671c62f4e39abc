# vmmsim trace gen phases (issue 16): a workload whose character changes over
# time. The same spec writes the same bytes (traces and config); the config
# it writes runs under `vmmsim run`; and no scheduler wins every phase: on
# the phases' own figures (a batch phase's turnaround, the shell's input
# latency, the periodic jobs' deadline misses) fifo, credit, eevdf and rtds
# each lose one.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

set(spec --phases batch:2s,interactive:2s,periodic:2s --repeat 2 --work 5ms --rt-vcpus 2 --load 40)
set(files ph-batch.trace ph-shell.trace ph-rt.trace ph.ini)

vmmsim(0 out err trace gen phases ${spec} --seed 1 -o ${WORK}/ph.trace --config ${WORK}/ph.ini)
expect_match("${out}" "wrote ${WORK}/ph-batch.trace: VM batch, 16 vCPUs\nwrote ${WORK}/ph-shell.trace: VM shell, 1 vCPU\n"
             "the VMs' traces")
expect_match("${out}" "wrote ${WORK}/ph-rt.trace: VM rt, 4 vCPUs\nwrote ${WORK}/ph.ini: 3 VMs, 2 pCPUs, scheduler credit, until 24s\n6 phases, 12s in all\n"
             "the config and the phases")
foreach(f ${files})
  file(READ ${WORK}/${f} first_${f})
endforeach()
file(READ ${WORK}/ph.ini ini)
expect_match("${ini}" "\n\\[console\\]\nfocus = shell\ninput_start = 2.05s\ninput_every = 100ms\ninput_bytes = 1\ninput_count = 80\n"
             "the keystrokes: from half a think into the first interactive phase to the end of the last")
expect_match("${ini}" "\n\\[vm.rt\\]\ntrace = ph-rt.trace\n# [^\n]*\nperiod = 10ms\nbudget = 5ms\n" "rtds's budget")
expect_match("${ini}" "#   phase 5   interactive 8s..10s: shell keystrokes 60-79; batch vCPUs 12-13 \\(background\\)\n"
             "the phases listed")

# Same spec, same bytes; another seed, other samples in the same phases.
vmmsim(0 out err trace gen phases ${spec} --seed 1 -o ${WORK}/ph.trace --config ${WORK}/ph.ini)
foreach(f ${files})
  file(READ ${WORK}/${f} again)
  if(NOT again STREQUAL first_${f})
    message(FATAL_ERROR "trace gen phases: the same spec wrote another ${f}")
  endif()
endforeach()
vmmsim(0 out err trace gen phases ${spec} --seed 2 -o ${WORK}/ph.trace --config ${WORK}/ph.ini)
file(READ ${WORK}/ph-shell.trace other)
if(other STREQUAL first_ph-shell.trace)
  message(FATAL_ERROR "trace gen phases: seed 2 gave the shell of seed 1")
endif()
file(READ ${WORK}/ph.ini other)
string(REPLACE "--seed 2" "--seed 1" other "${other}")
if(NOT other STREQUAL first_ph.ini)
  message(FATAL_ERROR "trace gen phases: the seed moved the phases:\n${other}")
endif()
vmmsim(0 out err trace gen phases ${spec} --seed 1 -o ${WORK}/ph.trace --config ${WORK}/ph.ini)

# Each phase's figure under each scheduler. Batch phases start at 0 and 6 s:
# their vCPUs' mean turnaround (ms); the shell reads only in the interactive
# phases: its input latency p99 (us); VM rt runs only in the periodic ones.
foreach(s fifo credit eevdf rtds)
  vmmsim(0 out err run ${WORK}/ph.ini --set vmm.scheduler=${s} --json ${WORK}/${s}.json -q)
  file(READ ${WORK}/${s}.json r)
  string(JSON finished GET "${r}" all_finished)
  if(NOT finished)
    message(FATAL_ERROR "${s}: the phases' work did not end within until")
  endif()
  arrivals_turnaround("${r}" batch sum count 0 6000000000)
  if(NOT count EQUAL 8)
    message(FATAL_ERROR "${s}: ${count} vCPUs of the batch phases; expected 8")
  endif()
  math(EXPR batch_${s} "${sum} / ${count} / 1000000")
  string(JSON p99 GET "${r}" vms 1 input_latency_cycles p99)
  string(JSON keys GET "${r}" vms 1 input_latency_cycles count)
  math(EXPR shell_${s} "${p99} / 1000")
  string(JSON misses_${s} GET "${r}" vms 2 deadline_misses)
  message(STATUS "${s}: batch phases' turnaround ${batch_${s}} ms, shell p99 ${shell_${s}} us (${keys} reads), "
                 "rt deadline misses ${misses_${s}}")
endforeach()

function(expect_less a b what)
  if(NOT a LESS b)
    message(FATAL_ERROR "${what}: expected ${a} < ${b}")
  endif()
endfunction()
# Batch: run to completion finishes half the jobs early; every time-sharing policy finishes them late.
expect_less(${batch_fifo} ${batch_credit} "batch turnaround, fifo < credit")
expect_less(${batch_fifo} ${batch_eevdf} "batch turnaround, fifo < eevdf")
expect_less(${batch_fifo} ${batch_rtds} "batch turnaround, fifo < rtds")
# Interactive: credit boosts the waking shell; fifo keeps it behind the batch, rtds behind its deadlines.
expect_less(${shell_credit} ${shell_fifo} "shell p99, credit < fifo")
expect_less(${shell_credit} ${shell_rtds} "shell p99, credit < rtds")
# Periodic: rtds gives each job its budget; eevdf shares the pCPUs by weight and misses.
if(NOT misses_rtds EQUAL 0)
  message(FATAL_ERROR "rtds missed ${misses_rtds} deadlines; expected none")
endif()
expect_less(0 ${misses_eevdf} "eevdf's deadline misses")

# Bad input: one line, nothing written.
expect_bad_input("--config applies only to phases; expected no --config with cpu-bound"
                 trace gen cpu-bound --seed 1 -o ${WORK}/x.trace --config ${WORK}/x.ini)
expect_bad_input("-o -: 3 VMs to write; expected -o OUT naming a file (OUT-VM.trace for each VM), not standard output"
                 trace gen phases ${spec} --seed 1 -o -)
expect_bad_input("--phases: interactive:1s is shorter than --think 2s; expected interactive phases at least --think long (one keystroke each)"
                 trace gen phases --phases batch:1s,interactive:1s --think 2s --seed 1 -o ${WORK}/x.trace)
file(GLOB written ${WORK}/x*)
if(written)
  message(FATAL_ERROR "bad input wrote ${written}")
endif()

vmmsim(0 out err trace gen --help)
expect_match("${out}" "  phases        a workload whose character changes over time" "gen --help lists phases")
vmmsim(0 out err trace gen phases --help)
expect_match("${out}" "--config FILE" "phases --help has --config")
vmmsim(0 out err trace gen cpu-bound --help)
if(out MATCHES "--config")
  message(FATAL_ERROR "cpu-bound --help offers --config:\n${out}")
endif()

# One phase is "1 phase".
vmmsim(0 out err trace gen phases --phases batch:1s --seed 1 -o ${WORK}/one.trace)
expect_match("${out}" "\n1 phase, 1s in all\n" "one phase, singular")
