# Shared by the tests/cli_*_test.cmake scripts: run vmmsim and check its answer.

# vmmsim(EXPECTED_EXIT OUT_VAR ERR_VAR ARGS...): runs ${VMMSIM} ARGS, fails
# the test unless it exits EXPECTED_EXIT.
function(vmmsim expect_code out_var err_var)
  execute_process(COMMAND ${VMMSIM} ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code STREQUAL expect_code)
    message(FATAL_ERROR "vmmsim ${ARGN}: exit ${code}, expected ${expect_code}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

function(expect_match text pattern what)
  string(REGEX MATCH "${pattern}" found "${text}")
  if(NOT found)
    message(FATAL_ERROR "${what}: expected /${pattern}/ in:\n${text}")
  endif()
endfunction()

# The answer to bad input: exit 2 and exactly `line` (a literal) on stderr.
function(expect_bad_input line)
  vmmsim(2 out err ${ARGN})
  if(NOT err STREQUAL "vmmsim: ${line}\n")
    message(FATAL_ERROR "vmmsim ${ARGN}:\n  stderr '${err}'\n  expected 'vmmsim: ${line}\n'")
  endif()
endfunction()

# Fails if `text` holds a byte a terminal or a text format must not get raw:
# a control character other than a line feed, or a byte >= 0x7f.
function(expect_no_raw_bytes text what)
  string(ASCII 27 esc)
  string(ASCII 127 del)
  foreach(byte 1 2 3 4 5 6 7 8 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 127 254 255)
    string(ASCII ${byte} b)
    string(FIND "${text}" "${b}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${what}: raw byte ${byte} at offset ${at}")
    endif()
  endforeach()
endfunction()
