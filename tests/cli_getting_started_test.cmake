# What a new user meets first (issue 14, "Getting started"): the version;
# a bare --until number, which is cycles, said in --help and warned about on
# the command line (5 cycles is almost never meant); a --summary report.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

vmmsim(0 out err --version)
expect_match("${out}" "^vmmsim [0-9]+\\.[0-9]+ \\(git ([0-9a-f]+(\\+dirty)?|unknown)\\)\nSystemC [0-9]+\\.[0-9]+\\.[0-9]+"
             "vmmsim --version")
vmmsim(0 out err --help)
expect_match("${out}" "'vmmsim --version'" "vmmsim --help names --version")

vmmsim(0 out err run --help)
expect_match("${out}" "a bare[ \n]+number is cycles" "run --help on a bare --until")

file(WRITE ${WORK}/hog.trace "vcpu 0\n  repeat forever\n    run 1ms\n  end\n")
file(WRITE ${WORK}/c.ini "[vm.a]\ntrace = hog.trace\n")
vmmsim(0 out err run ${WORK}/c.ini --until 5)
if(NOT err STREQUAL "vmmsim: warning: --until 5 has no unit: 5 cycles (5e-09s at 1GHz); write e.g. 5s or 5ms for seconds or milliseconds\n")
  message(FATAL_ERROR "--until 5: expected the one-line warning, got '${err}'")
endif()
vmmsim(0 out err run ${WORK}/c.ini --until 5ms)
if(NOT err STREQUAL "")
  message(FATAL_ERROR "--until 5ms: no warning expected, got '${err}'")
endif()

# --summary: the header and a line per VM, not a line per vCPU and pCPU.
file(WRITE ${WORK}/many.ini "[vm.a]\ntrace = hog.trace\nvcpus = 64\n[platform]\ncpus = 4\n")
vmmsim(0 out err run ${WORK}/many.ini --until 5ms --summary)
expect_match("${out}" "\nVMs\n  vm +vcpus[^\n]*\n  a +64 " "the per-VM line under --summary")
string(FIND "${out}" "vCPUs (times in ms)" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "--summary printed the per-vCPU table:\n${out}")
endif()
string(REGEX MATCHALL "\n" lines "${out}")
list(LENGTH lines count)
if(count GREATER 12)
  message(FATAL_ERROR "--summary printed ${count} lines for 64 vCPUs:\n${out}")
endif()
