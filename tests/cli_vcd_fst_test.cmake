# --vcd in GTKWave's own tools (docs/results.md "GTKWave files"), skipped
# with the reason when they are absent (scripts/dev.sh installs them):
# - vcd2fst converts the VCD, fst2vcd converts it back, and both VCDs hold
#   the same signals, timescale, value changes and end (tests/vcd_check.cpp
#   parses them: fst2vcd writes other codes and layout);
# - with xvfb-run, gtkwave itself loads FILE.gtkw from another folder and
#   shows vCPU, state and scheduler names through the translate filters,
#   zoomed to show the whole run.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
find_program(VCD2FST vcd2fst)
find_program(FST2VCD fst2vcd)
if(NOT VCD2FST OR NOT FST2VCD)
  message("SKIPPED: vcd2fst/fst2vcd not found (Debian package gtkwave)")
  return()
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/run ${WORK}/elsewhere)

vmmsim(0 out err run ${CONFIGS}/live-swap.ini --vcd ${WORK}/run/swap.vcd)
execute_process(COMMAND ${VCD2FST} ${WORK}/run/swap.vcd ${WORK}/run/swap.fst RESULT_VARIABLE code OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 300)
if(NOT code EQUAL 0 OR NOT EXISTS ${WORK}/run/swap.fst)
  message(FATAL_ERROR "vcd2fst swap.vcd: exit ${code}\n${out}\n${err}")
endif()
execute_process(COMMAND ${FST2VCD} ${WORK}/run/swap.fst OUTPUT_FILE ${WORK}/run/back.vcd RESULT_VARIABLE code
                ERROR_VARIABLE err TIMEOUT 300)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "fst2vcd swap.fst: exit ${code}\n${err}")
endif()
execute_process(COMMAND ${VCD_CHECK} same ${WORK}/run/swap.vcd ${WORK}/run/back.vcd RESULT_VARIABLE code
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the VCD did not survive vcd2fst + fst2vcd: ${err}")
endif()
message(STATUS "round trip: ${out}")

find_program(GTKWAVE gtkwave)
find_program(XVFB_RUN xvfb-run)
if(NOT GTKWAVE OR NOT XVFB_RUN)
  message("SKIPPED: gtkwave or xvfb-run not found (Debian packages gtkwave, xvfb): the save file was not loaded")
  return()
endif()
# At 0.6 s both pCPUs run guests of batch and shell under bvt, with web idle.
file(WRITE ${WORK}/probe.tcl "
set n [gtkwave::getTotalNumTraces]
gtkwave::setMarker 600000000
for {set i 0} {$i < $n} {incr i} {
  puts \"trace [gtkwave::getTraceNameFromIndex $i] = [gtkwave::getTraceValueAtMarkerFromIndex $i]\"
}
puts \"marker A [gtkwave::getNamedMarker A]\"
puts \"window [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime] run [gtkwave::getMaxTime]\"
gtkwave::/File/Quit
")
execute_process(COMMAND ${XVFB_RUN} -a ${GTKWAVE} --script ${WORK}/probe.tcl ${WORK}/run/swap.gtkw
                WORKING_DIRECTORY ${WORK}/elsewhere RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 120)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "gtkwave --script swap.gtkw: exit ${code}\n${out}\n${err}")
endif()
expect_match("${out}" "trace cpu0_owner = (web|batch|shell|service)\\.[0-9]\n" "cpu0's owner as a vCPU name")
expect_match("${out}" "trace cpu0_state = (guest|vmm|idle|ceased)\n" "cpu0's state as a name")
expect_match("${out}" "trace vmm_scheduler_id = bvt\n" "the scheduler-ID register as a scheduler name")
expect_match("${out}" "trace vmm_replacement_phase = none\n" "the phase as a name")
expect_match("${out}" "trace vm_web_running = [01]\n" "vm_web_running shown")
expect_match("${out}" "marker A [1-9][0-9]*\n" "the first replacement phase as marker A")
# Opens on the whole run: zoomed to fit it.
string(REGEX MATCH "window 0 ([0-9]+) run ([0-9]+)\n" window "${out}")
set(window_end "${CMAKE_MATCH_1}")
set(run_end "${CMAKE_MATCH_2}")
if(window)
  math(EXPR twice_the_run "2 * ${run_end}")
endif()
if(NOT window OR window_end LESS run_end OR window_end GREATER_EQUAL twice_the_run)
  message(FATAL_ERROR "the save file should open on the whole run, no more than twice it: ${out}")
endif()
