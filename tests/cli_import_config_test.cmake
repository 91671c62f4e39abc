# vmmsim trace import --config FILE (issue 14): the import also writes the
# config that runs it: a [vm.NAME] per imported VM pointing at its trace, the
# platform sized from the trace, a scheduler and an until covering it. The
# config loads and runs every imported VM to its end.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/configs)

# Every VM of `config` ran (CPU time), to the end of its trace, and only they.
function(expect_runs config vms)
  vmmsim(0 out err run ${config} --json ${config}.json)
  file(READ ${config}.json results)
  string(JSON finished GET "${results}" all_finished)
  if(NOT finished)
    message(FATAL_ERROR "${config}: not every imported guest ended before until:\n${out}")
  endif()
  string(JSON count LENGTH "${results}" vms)
  list(LENGTH vms expected)
  if(NOT count EQUAL expected)
    message(FATAL_ERROR "${config}: ${count} VMs run; expected ${expected} (${vms})")
  endif()
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${results}" vms ${i} name)
    string(JSON cpu GET "${results}" vms ${i} cpu_cycles)
    list(GET vms ${i} want)
    if(NOT name STREQUAL want OR cpu EQUAL 0)
      message(FATAL_ERROR "${config}: VM ${i} is ${name} with ${cpu} CPU cycles; expected ${want} to run")
    endif()
  endforeach()
endfunction()

# ftrace: two VMs by --vm; the traced machine had 6 CPUs (cpus=6 in the
# trace-cmd header). The config sits in another folder than the traces.
vmmsim(0 out err trace import ftrace ${SRC}/tests/data/ftrace/lisa_trace_excerpt.txt -o ${WORK}/lisa.trace
       --vm "sh*=shell" --config ${WORK}/configs/lisa.ini)
expect_match("${out}" "wrote ${WORK}/configs/lisa.ini: 2 VMs, 6 pCPUs, scheduler credit, until 0.309 s" "the config line")
file(READ ${WORK}/configs/lisa.ini ini)
expect_match("${ini}" "\n\\[platform\\]\ncpus = 6\n" "pCPUs from the trace's header")
expect_match("${ini}" "# pCPUs: 6, the traced machine's CPUs \\(cpus=6 in the trace's header\\)" "why 6 pCPUs")
expect_match("${ini}" "\n\\[vm.shell\\]\ntrace = \\.\\./lisa-shell.trace\n" "shell's trace, relative to the config")
expect_match("${ini}" "\n\\[vm.other\\]\ntrace = \\.\\./lisa-other.trace\n" "other's trace")
expect_match("${ini}" "\n\\[run\\]\nuntil = 309000000\n" "until: twice the 154.16 ms span, in whole ms")
expect_runs(${WORK}/configs/lisa.ini "shell;other")

# utilization: no CPU count in the format: the peak of vCPUs computing at
# once when each replays alone (both PlanetLab VMs in the first hour).
vmmsim(0 out err trace import utilization ${SRC}/tests/data/planetlab/20110303 -o ${WORK}/pl.trace --to 3600
       --config ${WORK}/pl.ini)
file(READ ${WORK}/pl.ini ini)
expect_match("${ini}" "\n\\[platform\\]\ncpus = 2\n" "pCPUs from the peak demand")
expect_match("${ini}" "# pCPUs: 2, the most vCPUs computing at once, each replaying its trace alone" "why 2 pCPUs")
expect_runs(${WORK}/pl.ini "146-179_surfsnel_dsl_internl_net_colostate_557;planetlab1_fit_vutbr_cz_nyu_d")

# swf: MaxProcs in the log's header.
vmmsim(0 out err trace import swf ${SRC}/tests/data/swf/nasa_ipsc_excerpt.swf --jobs 0:3 -o ${WORK}/nasa.trace
       --config ${WORK}/nasa.ini)
file(READ ${WORK}/nasa.ini ini)
expect_match("${ini}" "# pCPUs: 128, the traced machine's CPUs \\(MaxProcs: 128 in the log's header\\)" "swf's pCPUs")

# Output rules: never an input, never another output, not beside a trace on
# standard output; nothing written then.
file(COPY ${SRC}/tests/data/ftrace/lisa_trace_excerpt.txt DESTINATION ${WORK}/in)
set(input ${WORK}/in/lisa_trace_excerpt.txt)
expect_bad_input("${input}: refusing to overwrite an input file (${input}) with --config; expected an output that is no input"
                 trace import ftrace ${input} -o ${WORK}/in/x.trace --config ${input})
expect_bad_input("${WORK}/in/x.trace: named by both -o and --config; expected a file of its own for each output"
                 trace import ftrace ${input} -o ${WORK}/in/x.trace --config ${WORK}/in/x.trace)
expect_bad_input("--config ${WORK}/in/c.ini: the trace goes to standard output; expected -o OUT naming a file for the config to point to"
                 trace import ftrace ${input} -o - --config ${WORK}/in/c.ini)
file(GLOB left ${WORK}/in/*)
if(NOT left STREQUAL input)
  message(FATAL_ERROR "bad input left files behind: ${left}")
endif()
