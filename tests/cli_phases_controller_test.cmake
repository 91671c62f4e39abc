# trace gen phases --controller (issue 16): the phases' config runs a
# switching controller out of the box, and compare judges it against static
# credit and static rtds on the phase-changing workload. The figures and the
# orders docs/controller.md "On a phase-changing workload" gives: no phase
# lost by much where each static scheduler loses one; a rule set on the
# shell's latency that oscillates and min_dwell stopping it; fifo starving
# the controller. And what is refused.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/plain ${WORK}/ctl)

set(spec --phases batch:2s,interactive:2s,periodic:2s --repeat 2 --work 5ms --rt-vcpus 2 --load 40 --seed 1)

# The same workload without and with --controller, each in a folder of its own
# with the same names, so that the two differ only by the option.
set(VMMSIM_WORKING_DIRECTORY ${WORK}/plain)
vmmsim(0 plain_out err trace gen phases ${spec} -o ph.trace --config ph.ini)
set(VMMSIM_WORKING_DIRECTORY ${WORK}/ctl)
vmmsim(0 out err trace gen phases ${spec} -o ph.trace --config ph.ini --controller)
unset(VMMSIM_WORKING_DIRECTORY)
expect_match("${out}" "wrote ph-rt.trace: VM rt, 4 vCPUs\nwrote ph-service.trace: the service VM, 1 vCPU\n"
             "the service VM's trace")
expect_match("${out}" "\nthe config's switching controller runs in the service VM: rtds while the run queue averages above 1\\.5 vCPUs over 100ms, credit once it falls below 0\\.5\n"
             "what the controller does")
string(REPLACE "wrote ph-service.trace: the service VM, 1 vCPU\n" "" without "${out}")
string(REGEX REPLACE "the config's switching controller[^\n]*\n" "" without "${without}")
if(NOT without STREQUAL plain_out)
  message(FATAL_ERROR "--controller changed the other lines:\n${out}\nwithout it:\n${plain_out}")
endif()

# The VMs' traces are the same but for the command; the config without the
# option is a prefix of the one with it.
foreach(f ph-batch.trace ph-shell.trace ph-rt.trace ph.ini)
  file(READ ${WORK}/plain/${f} plain)
  file(READ ${WORK}/ctl/${f} ctl)
  string(REPLACE " --controller" "" ctl_command "${ctl}")
  string(LENGTH "${plain}" n)
  string(SUBSTRING "${ctl_command}" 0 ${n} head)
  if(NOT head STREQUAL plain)
    message(FATAL_ERROR "--controller changed ${f} beyond the command:\n${ctl}")
  endif()
  if(NOT f STREQUAL ph.ini AND NOT ctl_command STREQUAL plain)
    message(FATAL_ERROR "--controller added to ${f}")
  endif()
endforeach()
file(READ ${WORK}/ctl/ph.ini ini)
string(LENGTH "${plain}" n)
string(SUBSTRING "${ini}" ${n} -1 added)
expect_match("${ini}" "\n\\[service\\]\ntrace = ph-service.trace\n" "the service VM")
expect_match("${ini}" "\n\\[controller.rule.busy\\]\nmetric = runqueue_mean\nwindow = 100ms\nabove = 1.5\naction = load rtds\n"
             "busy: 3/4 of the 2 vCPUs a batch phase queues")
expect_match("${ini}" "\n\\[controller.rule.calm\\]\nmetric = runqueue_mean\nwindow = 100ms\nbelow = 0.5\naction = load credit\n$"
             "calm, last")
file(READ ${WORK}/ctl/ph-service.trace service)
expect_match("${service}" "\nvcpu 0  # [^\n]*\n  repeat forever\n    sleep 1000s\n  end\n$" "the service VM sleeps")

# Without the option the config has no service VM: its controller is refused.
string(REGEX MATCH "\n\\[controller\\].*" rules "${ini}")
file(WRITE ${WORK}/plain/rules.ini "${plain}${rules}")
vmmsim(2 out err run ${WORK}/plain/rules.ini)
if(NOT err MATCHES "^vmmsim: [^\n]*/rules.ini:[0-9]+: \\[controller\\]: the controller runs in the service VM, and there is none; expected a \\[service\\] section\n$")
  message(FATAL_ERROR "a controller without a service VM: ${err}")
endif()

# A run's figure for each phase (docs/controller.md's phase.sh): the batch
# phases' (arriving at 0 and 6 s) mean turnaround in ms, the shell's input
# p99 in us, rt's deadline misses; rounded as jq's round.
function(phase_figures json var)
  file(READ ${json} r)
  arrivals_turnaround("${r}" batch sum count 0 6000000000)
  math(EXPR batch "(${sum} + ${count} * 500000) / (${count} * 1000000)")
  vm_value("${r}" shell p99 input_latency_cycles p99)
  math(EXPR shell "(${p99} + 500) / 1000")
  vm_value("${r}" rt misses deadline_misses)
  set(${var} "${batch} ${shell} ${misses}" PARENT_SCOPE)
endfunction()

function(expect_figures json expected what)
  phase_figures(${json} got)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "${what}: batch turnaround ms, shell p99 us, rt misses: ${got}; expected ${expected}")
  endif()
endfunction()

# Static credit, static rtds and the controller from each.
vmmsim(0 out err compare ${WORK}/ctl/ph.ini --schedulers credit,rtds --set controller.enabled=false,true
       --jobs 2 --out ${WORK}/cmp)
expect_match("${out}" "\nph--credit--controller.enabled=true +4 +4 +0 +0 +0\\.041 +1\\.190 +119\n"
             "from credit: 4 switches, 0.041 ms of downtime")
expect_match("${out}" "\nph--rtds--controller.enabled=true +3 +3 +0 +0 +0\\.032 +1\\.190 +119\n"
             "from rtds: 3 switches, 0.032 ms of downtime")
if(out MATCHES "\nph--[a-z]+--controller.enabled=false +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ ")
  message(FATAL_ERROR "a static run in the controller table:\n${out}")
endif()
# The CSVs name the scheduler each run started with, not the one the controller left
# active at the end (from rtds, 3 switches end under credit).
file(READ ${WORK}/cmp/compare-controller.csv csv)
expect_match("${csv}" "\nph--rtds--controller.enabled=true,[^,\n]*,rtds,3," "compare-controller.csv: started with rtds")
file(READ ${WORK}/cmp/compare.csv csv)
expect_match("${csv}" "\nph--rtds--controller.enabled=true,[^,\n]*,rtds,shell," "compare.csv: started with rtds")
# The shell: credit and the controller share the best p99; rtds's is 46 times it.
expect_match("${out}" "\nph--credit--controller.enabled=false +shell +[^\n]* 0\\.087\\* " "static credit's shell")
expect_match("${out}" "\nph--rtds--controller.enabled=false +shell +[^\n]* 3\\.998 " "static rtds's shell")
expect_match("${out}" "\nph--credit--controller.enabled=true +shell +[^\n]* 0\\.087\\* " "the controller's shell")
expect_match("${out}" "\nph--rtds--controller.enabled=true +shell +[^\n]* 0\\.087\\* " "the controller's shell")
# What the switches cost the batch vCPUs (swap stall, ms).
expect_match("${out}" "\nph--credit--controller.enabled=true +batch +[^\n]* 8\\.051\n" "batch's swap stall from credit")
expect_match("${out}" "\nph--rtds--controller.enabled=true +batch +[^\n]* 4\\.017\n" "batch's swap stall from rtds")
# Each phase: rtds wins the batch phases, the controller within 6 ms, credit 60 ms behind.
expect_figures(${WORK}/cmp/ph--credit--controller.enabled=false/results.json "795 87 0" "static credit")
expect_figures(${WORK}/cmp/ph--rtds--controller.enabled=false/results.json "735 3998 0" "static rtds")
expect_figures(${WORK}/cmp/ph--credit--controller.enabled=true/results.json "741 87 0" "the controller from credit")
expect_figures(${WORK}/cmp/ph--rtds--controller.enabled=true/results.json "736 87 0" "the controller from rtds")
# busy fires in the batch phases only; calm hands credit back at 0.8 s, before the shell's first keystroke.
file(READ ${WORK}/cmp/ph--credit--controller.enabled=true/report.txt report)
expect_match("${report}" "\n +100000000 [^\n]* busy: [^\n]*\n +800000000 [^\n]* calm: [^\n]*\n +6100000000 [^\n]* busy: [^\n]*\n +6800000000 [^\n]* calm: "
             "the controller's four decisions")

# A rule set on the shell's latency chases its own tail; min_dwell stops it,
# but the shell's p99 stays rtds's.
string(REGEX REPLACE "\n\\[controller.rule.*" "\n" react "${ini}")
string(APPEND react "[controller.rule.slow]\nmetric = input_p99\nscope = shell\nwindow = 100ms\nabove = 1ms\naction = load credit\n\n"
                    "[controller.rule.quick]\nmetric = input_p99\nscope = shell\nwindow = 100ms\nbelow = 1ms\naction = load rtds\n")
file(WRITE ${WORK}/ctl/ph-react.ini "${react}")
vmmsim(0 out err compare ${WORK}/ctl/ph-react.ini --schedulers rtds --set controller.min_dwell=0,1s
       --jobs 2 --out ${WORK}/react)
expect_match("${out}" "\nph-react--rtds--controller.min_dwell=0 +16 +16 +0 +0 +0\\.116 " "16 switches")
expect_match("${out}" "\nph-react--rtds--controller.min_dwell=1s +4 +4 +0 +0 +0\\.038 " "min_dwell: 4 switches")
expect_figures(${WORK}/react/ph-react--rtds--controller.min_dwell=0/results.json "735 3998 0" "the oscillating set")
expect_figures(${WORK}/react/ph-react--rtds--controller.min_dwell=1s/results.json "735 3998 0" "with min_dwell")

# fifo for the batch phases starves the service VM: the watchdog, not the
# controller, ejects fifo; with a longer watchdog the controller does it late.
vmmsim(0 out err run ${WORK}/ctl/ph.ini --set vmm.scheduler=fifo --set controller.enabled=false
       --json ${WORK}/fifo.json -q)
expect_figures(${WORK}/fifo.json "600 746586 160" "static fifo")
vmmsim(0 out err compare ${WORK}/ctl/ph.ini --schedulers credit --set "controller.rule.busy.action=load fifo"
       --set vmm.watchdog=500ms,1s --jobs 2 --out ${WORK}/fifo)
expect_match("${out}" "\nph--credit--vmm.watchdog=500ms +2 +2 +0 +0 +0\\.036 " "2 switches to fifo")
expect_match("${out}" "\nph--credit--vmm.watchdog=1s +4 +4 +0 +0 +0\\.039 " "fifo and back, twice")
expect_match("${out}" "\nph--credit--vmm.watchdog=500ms +[^\n]* 4\n" "the runs' table: 4 swaps")
file(READ ${WORK}/fifo/compare-controller.csv csv)
expect_match("${csv}" "\nph--credit--vmm.watchdog=500ms,[^\n]*,2,2,0,0,0\\.036,1\\.090,109,10,,false\n" "10 windows missed")
expect_match("${csv}" "\nph--credit--vmm.watchdog=1s,[^\n]*,4,4,0,0,0\\.039,1\\.080,108,11,,false\n" "11 windows missed")
file(READ ${WORK}/fifo/ph--credit--vmm.watchdog=500ms/report.txt report)
string(REGEX MATCHALL "ejected fifo: service\\.0 runnable but not run for 550000000 cycles" ejected "${report}")
list(LENGTH ejected n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "the watchdog ejected fifo ${n} times; expected 2:\n${report}")
endif()
expect_figures(${WORK}/fifo/ph--credit--vmm.watchdog=500ms/results.json "626 87 0" "fifo, ejected")
expect_figures(${WORK}/fifo/ph--credit--vmm.watchdog=1s/results.json "625 87 0" "fifo, taken back")

# One VM: its trace keeps the name -o gives; the service VM's is beside it.
set(VMMSIM_WORKING_DIRECTORY ${WORK}/ctl)
vmmsim(0 out err trace gen phases --phases batch:1s --seed 1 -o one.trace --config one.ini --controller)
unset(VMMSIM_WORKING_DIRECTORY)
expect_match("${out}" "^wrote one.trace: VM batch, 4 vCPUs\nwrote one-service.trace: the service VM, 1 vCPU\n" "one VM")
vmmsim(0 out err run ${WORK}/ctl/one.ini -q)
expect_match("${out}" "\n  2 request\\(s\\) to the loader" "the one-VM config runs its controller")

# Bad input: one line, nothing written.
expect_bad_input("--controller: its rules go into the config; expected --config FILE with --controller"
                 trace gen phases ${spec} -o ${WORK}/x.trace --controller)
expect_bad_input("--controller applies only to phases; expected no --controller with cpu-bound"
                 trace gen cpu-bound --seed 1 -o ${WORK}/x.trace --controller)
expect_bad_input("--controller: no batch phase in --phases; expected one (the controller tells a batch phase by the vCPUs it queues)"
                 trace gen phases --phases interactive:1s,periodic:1s --seed 1 -o ${WORK}/x.trace --config ${WORK}/x.ini --controller)
expect_bad_input("--controller: a batch phase's 2 vCPUs on --cpus 2 queue none; expected --batch-vcpus above --cpus (the controller tells a batch phase by the vCPUs it queues)"
                 trace gen phases --phases batch:1s --batch-vcpus 2 --seed 1 -o ${WORK}/x.trace --config ${WORK}/x.ini --controller)
file(GLOB written ${WORK}/x*)
if(written)
  message(FATAL_ERROR "bad input wrote ${written}")
endif()

# --help offers --controller for phases only.
foreach(kind phases cpu-bound)
  vmmsim(0 out err trace gen ${kind} --help)
  string(REGEX MATCH "--controller +phases, with --config" offered "${out}")
  if((kind STREQUAL "phases" AND NOT offered) OR (NOT kind STREQUAL "phases" AND out MATCHES "--controller"))
    message(FATAL_ERROR "trace gen ${kind} --help and --controller:\n${out}")
  endif()
endforeach()
