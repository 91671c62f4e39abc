# What a new user meets first (issue 14, "Getting started"): the version,
# and a bare --until number, which is cycles, said in --help and warned
# about on the command line (5 cycles is almost never meant).
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
