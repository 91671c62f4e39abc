# vmmsim run's progress line (issue 14): on a terminal, a run that takes more
# than a second of host time shows it on standard error, redrawn with \r and
# cleared at the end; the outputs are those of a run without a terminal; a
# pipe or --quiet gets nothing on standard error. The terminal is a real
# pseudo-terminal from script(1) (util-linux). No timed assertion: the run is
# long enough (tens of seconds of 2 µs bursts) that no machine does it in a second.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
find_program(SCRIPT script)
if(NOT SCRIPT)
  message("SKIP: script(1) from util-linux is not installed; it gives the run a terminal")
  return()
endif()
file(WRITE ${WORK}/busy.trace "# vmmsim-trace 1\nvcpu 0\n  repeat forever\n    run 2us\n    io 3us\n  end\n")
file(WRITE ${WORK}/busy.ini "[platform]\ncpus = 2\n[vm.busy]\nvcpus = 8\ntrace = busy.trace\n[run]\nuntil = 100s\n")
set(outputs --json ${WORK}/NAME.json --timeline ${WORK}/NAME-timeline.json --window 0:1ms)

# Under a terminal: script runs the command on a pseudo-terminal; its own
# standard output gets everything the terminal showed.
function(run_on_terminal name extra out_var)
  string(REPLACE "NAME" "${name}" files "${outputs}")
  string(REPLACE ";" " " files "${files}")
  execute_process(COMMAND ${SCRIPT} -qfec "'${VMMSIM}' run '${WORK}/busy.ini' ${files} ${extra}" /dev/null
                  RESULT_VARIABLE code OUTPUT_VARIABLE shown ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "vmmsim run on a terminal: exit ${code}\n${shown}\n${err}")
  endif()
  set(${out_var} "${shown}" PARENT_SCOPE)
endfunction()

run_on_terminal(terminal "" shown)
string(ASCII 13 CR)
string(ASCII 27 ESC)
expect_match("${shown}" "${CR}vmmsim: simulated [0-9]+\\.[0-9][0-9][0-9] s of 100\\.000 s \\([0-9]+%\\), [0-9.e+]+ simulated s per host s${ESC}\\[K"
             "the progress line on the terminal")
expect_match("${shown}" "${CR}${ESC}\\[Kvmmsim report: " "the line cleared before the report")

string(REPLACE "NAME" "pipe" files "${outputs}")
vmmsim(0 out err run ${WORK}/busy.ini ${files})
if(NOT err STREQUAL "")
  message(FATAL_ERROR "standard error is a pipe: expected nothing on it, got:\n${err}")
endif()
foreach(file .json -timeline.json)
  file(READ ${WORK}/terminal${file} a)
  file(READ ${WORK}/pipe${file} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "terminal${file} and pipe${file} differ: the progress line changed a result")
  endif()
endforeach()
# The report too (the terminal turns \n into \r\n).
string(REGEX REPLACE ".*${ESC}\\[K(vmmsim report: )" "\\1" report "${shown}")
string(REPLACE "${CR}\n" "\n" report "${report}")
if(NOT report STREQUAL out)
  message(FATAL_ERROR "the report on the terminal differs from the report in a pipe:\n${report}\n---\n${out}")
endif()

run_on_terminal(quiet --quiet shown)
if(shown MATCHES "simulated s per host s" OR NOT shown MATCHES "^vmmsim report: ")
  message(FATAL_ERROR "--quiet on a terminal: expected the report alone, got:\n${shown}")
endif()
