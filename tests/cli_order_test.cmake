# One event order of vmmsim's own (docs/architecture.md "Simultaneous
# events"): under policies without a tick op (fifo, rr, bvt, arinc653), and
# here rtds, whose tick acts only for a vCPU that begins to wait after a
# slice was chosen (none on these configs), and the
# deadline slot timer, the PIT rate cannot matter, so results are byte for
# byte the same at pit.hz 100, 1000, 2000, 5000 and 10000 on configs full of
# ties. Only what counts ticks may differ: requests.tick, the feedback counts
# (a tick's is done, or rejected while offline), pit_ticks and
# ticks_while_ceased, which this test blanks, and pit.out in the VCD, which it
# drops. Before the order was vmmsim's own, configs/live-swap.ini under rr
# gave another schedule at 100 Hz than at 1000 Hz.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(ties ${CMAKE_CURRENT_LIST_DIR}/data/ties)

function(blank_ticks in out_var)
  file(READ ${in} text)
  string(REGEX REPLACE "\"tick\": [0-9]+" "\"tick\": -" text "${text}")
  string(REGEX REPLACE "\"feedback\": {[^}]*}" "\"feedback\": -" text "${text}")
  string(REGEX REPLACE "\"pit_ticks\": [0-9]+" "\"pit_ticks\": -" text "${text}")
  string(REGEX REPLACE "\"ticks_while_ceased\": [0-9]+" "\"ticks_while_ceased\": -" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# The VCD without pit.out: its value changes, then time stamps left empty.
function(drop_pit_out in out_var)
  file(READ ${in} text)
  string(REGEX MATCH "\\$scope module pit \\$end\n\\$var wire 1 ([^ ]+) pit_out \\$end" found "${text}")
  if(NOT found)
    message(FATAL_ERROR "${in}: no pit.out")
  endif()
  string(REGEX REPLACE "([][+.*^$()|?\\\\{}])" "\\\\\\1" id "${CMAKE_MATCH_1}")
  string(REGEX REPLACE "\n[01]${id}\n" "\n" text "${text}")
  string(REGEX REPLACE "\n[01]${id}\n" "\n" text "${text}")
  set(before "")
  while(NOT before STREQUAL text)
    set(before "${text}")
    string(REGEX REPLACE "\n#[0-9]+(\n#[0-9]+\n)" "\\1" text "${text}")
  endwhile()
  string(REGEX REPLACE "\n#[0-9]+\n$" "\n" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# arinc653's windows (its default, 0, runs nobody), of lengths that put
# window ends between PIT edges at every rate.
set(tie_windows "--set vm.a.window=700us --set vm.b.window=1300us --set vm.c.window=2500us \
--set vm.shell.window=400us --set vm.rt.window=900us")
set(live_windows "--set vm.web.window=1700us --set vm.batch.window=2300us --set vm.shell.window=600us \
--set service.window=500us")
# name|config and its options, separated by spaces|arinc653's windows
set(variants
  "free|${ties}/free.ini|${tie_windows}"
  "costs|${ties}/costs.ini|${tie_windows}"
  "round_clock|${ties}/free.ini --set platform.clock=1193182000|${tie_windows}"
  "swaps|${ties}/free.ini --swap 50ms:bvt --swap 100ms:rr|${tie_windows}"
  "swap_in|${ties}/costs.ini --swap 40ms:arinc653 --swap 110ms:rr ${tie_windows}|${tie_windows}"
  "live_swap|${CMAKE_CURRENT_LIST_DIR}/../configs/live-swap.ini --until 1s|${live_windows}")
foreach(variant ${variants})
  string(REPLACE "|" ";" parts "${variant}")
  list(GET parts 0 name)
  list(GET parts 1 args)
  list(GET parts 2 windows)
  separate_arguments(parts UNIX_COMMAND "${args}")
  separate_arguments(windows UNIX_COMMAND "${windows}")
  # arinc653 times its windows with its slices (no tick op), as Xen's does:
  # before, its tick cut a window short at a PIT edge that fell inside the
  # VMM's costs after a window end, so costs.ini gave other results at 2000,
  # 5000 and 10000 Hz than at 1000. rtds's tick no longer asks a busy pCPU
  # whose owner passed its own deadline: it cut short at a PIT edge the
  # costs that made that slice end late, so costs.ini gave other results
  # at 100 Hz.
  foreach(policy fifo rr bvt arinc653 rtds)
    set(policy_args "")
    if(policy STREQUAL "arinc653")
      set(policy_args ${windows})
    endif()
    foreach(hz 1000 100 2000 5000 10000)
      set(out ${WORK}/${name}-${policy}-${hz})
      set(outputs --json ${out}.json --timeline ${out}.timeline.json)
      if(name STREQUAL "free")
        list(APPEND outputs --vcd ${out}.vcd)
      endif()
      vmmsim(0 stdout stderr run ${parts} --set vmm.scheduler=${policy} ${policy_args} --set pit.hz=${hz}
             --set vmm.slice_timer=deadline ${outputs})
      blank_ticks(${out}.json json)
      file(READ ${out}.timeline.json timeline)
      if(hz EQUAL 1000)
        set(ref_json "${json}")
        set(ref_timeline "${timeline}")
        if(name STREQUAL "free")
          drop_pit_out(${out}.vcd ref_vcd)
        endif()
        continue()
      endif()
      if(NOT json STREQUAL ref_json)
        message(FATAL_ERROR "${name} under ${policy}: the results at pit.hz ${hz} differ from those at 1000 "
                            "(${out}.json, ${WORK}/${name}-${policy}-1000.json)")
      endif()
      if(NOT timeline STREQUAL ref_timeline)
        message(FATAL_ERROR "${name} under ${policy}: the timeline at pit.hz ${hz} differs from the one at 1000")
      endif()
      if(name STREQUAL "free")
        drop_pit_out(${out}.vcd vcd)
        if(NOT vcd STREQUAL ref_vcd)
          message(FATAL_ERROR "${name} under ${policy}: the VCD at pit.hz ${hz} differs from the one at 1000 "
                              "beyond pit.out")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
