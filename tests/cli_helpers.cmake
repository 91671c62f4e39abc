# Helpers of the CLI tests (cmake -P scripts; include() them with ${CMAKE_CURRENT_LIST_DIR}).

# Runs vmmsim with ARGN; fails unless it exits with `expect_code`. A run is
# stopped after 5 minutes so that a regression that would run on fails
# instead of hanging CTest (a safety net, not a timed assertion).
function(vmmsim expect_code out_var err_var)
  execute_process(COMMAND ${VMMSIM} ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 300)
  if(NOT code EQUAL expect_code)
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
