# Writes vmmsim's man pages with help2man from the binary's own help
# (cmake -P; packaging/CMakeLists.txt runs it after each link of vmmsim):
# vmmsim.1 from `vmmsim --help`, and a page per command from its --help.
# In: HELP2MAN, VMMSIM (the binary), OUT (folder), PAGES (the folder of each
# page's include file PAGE.h2m, with its SYNOPSIS, and see_also.h2m).
execute_process(COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${VMMSIM} --version OUTPUT_VARIABLE version_text RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${VMMSIM} --version failed")
endif()
# "vmmsim 0.1 (git abc)" -> "0.1 (git abc)"
string(REGEX MATCH "^vmmsim ([^\n]*)" _ "${version_text}")
set(version "${CMAKE_MATCH_1}")
file(MAKE_DIRECTORY ${OUT})

# page: the man page's name; help: the words before --help; name: its NAME line.
# In a sanitized build (scripts/dev.sh sanitize) LeakSanitizer would scan
# SystemC's coroutine stacks at exit and fault (see dev.sh): no leak check here.
function(man_page page help name)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${HELP2MAN} --no-info --section=1 --manual "vmmsim manual" --source "vmmsim ${version}"
            --version-string "${page} ${version}" "--help-option=${help} --help" "--name=${name}"
            --include ${PAGES}/${page}.h2m --include ${PAGES}/see_also.h2m --output ${OUT}/${page}.1 ${VMMSIM}
    RESULT_VARIABLE failed ERROR_VARIABLE err)
  if(failed)
    message(FATAL_ERROR "help2man ${page}: ${err}")
  endif()
endfunction()

man_page(vmmsim "" "cycle-level simulator of a VMM whose VM scheduler is replaced live")
man_page(vmmsim-run "run" "run a vmmsim simulation config and report it")
man_page(vmmsim-compare "compare" "run one workload under several schedulers and compare them")
man_page(vmmsim-sweep-plan "sweep plan" "plan the runs of a vmmsim comparison for Slurm, ssh hosts or here")
man_page(vmmsim-sweep-run "sweep run" "run a chunk of a planned vmmsim sweep")
man_page(vmmsim-sweep-status "sweep status" "say which runs of a vmmsim sweep are done, failed or missing")
man_page(vmmsim-sweep-collect "sweep collect" "gather a vmmsim sweep's finished runs into compare's outputs")
man_page(vmmsim-trace-gen "trace gen" "write a synthetic vmmsim trace")
man_page(vmmsim-trace-import "trace import" "turn ftrace, SWF or utilization traces into vmmsim traces")
