# The compare page as a browser draws it: two 20 ms runs of live-swap (rr and
# credit, each replaced by bvt at 5 ms) put on one page with no window chosen
# (tests/html_page.cpp), loaded in headless Chromium by scripts/check-html.sh
# with a PNG screenshot, and the dumped DOM checked: the Gantt window opens
# around the first replacement, VM, run and phase colours share no colour, the
# share chart has axis titles, the replacement bars share one scale, and the
# per-VM table marks a best run; compare without --window opens it around a
# replacement at a time nobody gave (~512 ms in live-swap), which its timelines
# hold. Prints "SKIP: why" without Chromium.
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
find_program(CHROMIUM NAMES chromium chromium-browser google-chrome)
if(NOT CHROMIUM)
  message("SKIP: no Chromium (apt-get install chromium; scripts/dev.sh installs it)")
  return()
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(scheduler rr credit)
  vmmsim(0 out err run ${SRC}/configs/live-swap.ini --until 20ms --set vmm.scheduler=${scheduler} --swap 5ms:bvt
         --json ${WORK}/${scheduler}.json --timeline ${WORK}/${scheduler}-timeline.json)
endforeach()
execute_process(COMMAND ${HTML_PAGE} ${WORK}/page.html 0 0 rr ${WORK}/rr.json ${WORK}/rr-timeline.json
                        credit ${WORK}/credit.json ${WORK}/credit-timeline.json RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "html_page: exit ${code}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env CHROMIUM=${CHROMIUM} KEEP_DOM=${WORK}/dom.html SCREENSHOT=${WORK}/page.png
                        SCREENSHOT_SIZE=1400,3600 ${SRC}/scripts/check-html.sh ${WORK}/page.html
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "check-html.sh: exit ${code}\n${out}${err}")
endif()
expect_match("${out}" "check-html: OK: .*; screenshot ${WORK}/page.png \\([0-9]+ bytes\\)" "check-html.sh")
file(READ ${WORK}/dom.html dom)
string(REPLACE ";" "," dom "${dom}")  # a ; would split CMake's lists of matches

# No window was chosen: the Gantt opens around the first replacement (at 5 ms).
expect_match("${dom}" "<select id=\"gantt-window\"><option value=\"0\">around the first replacement, " "the Gantt's default window")
string(REGEX MATCH "<p class=\"note\">Window ([0-9.]+)–([0-9.]+) ms\\.</p>" window "${dom}")
if(NOT window OR CMAKE_MATCH_1 GREATER 5 OR CMAKE_MATCH_2 LESS 5.02 OR CMAKE_MATCH_2 GREATER 20)
  message(FATAL_ERROR "the Gantt shows '${window}'; expected a window around the replacement at 5 ms")
endif()

# The summary names the schedulers in the order they ran (results.json's "scheduler" is the last).
expect_match("${dom}" "</svg>rr</span></td><td>rr → bvt</td>" "the rr run's schedulers in the summary")

# compare with --window: that window first; "around the first replacement" is the
# one at 500 ms among the window's dispatches, not the one at 1.5 s that the
# timeline also lists.
vmmsim(0 out err compare ${SRC}/configs/live-swap.ini --schedulers rr --out ${WORK}/cmp --window 480ms:560ms)
execute_process(COMMAND ${CMAKE_COMMAND} -E env CHROMIUM=${CHROMIUM} KEEP_DOM=${WORK}/cmp-dom.html
                        ${SRC}/scripts/check-html.sh ${WORK}/cmp/compare.html
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "check-html.sh of compare's page: exit ${code}\n${out}${err}")
endif()
file(READ ${WORK}/cmp-dom.html cmp_dom)
string(REGEX MATCH "<select id=\"gantt-window\"><option value=\"0\">the chosen window, 480.000–560.000 ms</option><option value=\"1\">around the first replacement, ([0-9.]+)–([0-9.]+) ms</option>"
       select "${cmp_dom}")
if(NOT select OR CMAKE_MATCH_1 LESS 480 OR CMAKE_MATCH_2 GREATER 560)
  string(REGEX MATCH "<select id=\"gantt-window\">.*</select>" select "${cmp_dom}")
  message(FATAL_ERROR "compare --window 480ms:560ms: the Gantt offers '${select}'")
endif()

# compare without --window: the service VM's trace asks for bvt at ~512 ms,
# a time nobody gave; each run's timeline holds 0:100ms and that
# replacement's neighbourhood (20 ms before its first cease, at least 20 ms
# after its last phase), so the Gantt opens around it, with slices drawn
# before and after the downtime, all within what the timeline holds.
vmmsim(0 out err compare ${SRC}/configs/live-swap.ini --schedulers credit --out ${WORK}/near)
execute_process(COMMAND ${CMAKE_COMMAND} -E env CHROMIUM=${CHROMIUM} KEEP_DOM=${WORK}/near-dom.html
                        SCREENSHOT=${WORK}/near.png SCREENSHOT_SIZE=1400,3600 ${SRC}/scripts/check-html.sh ${WORK}/near/compare.html
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "check-html.sh of compare's page without --window: exit ${code}\n${out}${err}")
endif()
file(READ ${WORK}/near/live-swap--credit/results.json near_results)
string(JSON near_hz GET "${near_results}" clock_hz)
string(JSON near_start GET "${near_results}" replacements 0 started_at_cycles)
string(JSON near_downtime GET "${near_results}" replacements 0 downtime_cycles)
math(EXPR near_start_us "${near_start} * 1000000 / ${near_hz}")
math(EXPR near_resume_us "(${near_start} + ${near_downtime}) * 1000000 / ${near_hz}")
math(EXPR near_held_from_us "${near_start_us} - 20000")
math(EXPR near_held_to_us "${near_resume_us} + 20000")
file(READ ${WORK}/near-dom.html near_dom)
string(REGEX MATCH "<select id=\"gantt-window\"><option value=\"0\">around the first replacement, ([0-9]+)\\.([0-9]+)–([0-9]+)\\.([0-9]+) ms</option><option value=\"1\">each run's whole timeline</option></select>"
       select "${near_dom}")
if(NOT select OR CMAKE_MATCH_1 LESS 400)
  string(REGEX MATCH "<select id=\"gantt-window\">.*</select>" select "${near_dom}")
  message(FATAL_ERROR "compare without --window: the Gantt offers '${select}'; expected around the replacement at ${near_start_us} us first")
endif()
set(near_from_us "${CMAKE_MATCH_1}${CMAKE_MATCH_2}")  # ms with 3 decimals: µs
set(near_to_us "${CMAKE_MATCH_3}${CMAKE_MATCH_4}")
if(near_from_us GREATER near_start_us OR near_to_us LESS near_resume_us OR near_from_us LESS near_held_from_us
   OR near_to_us GREATER near_held_to_us)
  message(FATAL_ERROR "the Gantt opens at ${select}; expected it around ${near_start_us}..${near_resume_us} us, "
                      "within ${near_held_from_us}..${near_held_to_us} us")
endif()
expect_match("${near_dom}" "<p class=\"note\">Window ${CMAKE_MATCH_1}\\.${CMAKE_MATCH_2}–" "the Gantt drawn in that window")
# Slices on both sides of the downtime (their titles say where they run).
string(REGEX MATCHALL "\\.[0-9] on cpu[01]: [0-9]+\\.[0-9]+–[0-9]+\\.[0-9]+ ms" slices "${near_dom}")
set(before 0)
set(after 0)
foreach(s IN LISTS slices)
  string(REGEX MATCH ": ([0-9]+)\\.([0-9]+)–([0-9]+)\\.([0-9]+) ms" ignored "${s}")
  if("${CMAKE_MATCH_3}${CMAKE_MATCH_4}" GREATER near_from_us AND "${CMAKE_MATCH_3}${CMAKE_MATCH_4}" LESS_EQUAL near_start_us)
    math(EXPR before "${before} + 1")
  endif()
  if("${CMAKE_MATCH_1}${CMAKE_MATCH_2}" GREATER_EQUAL near_resume_us AND "${CMAKE_MATCH_1}${CMAKE_MATCH_2}" LESS near_to_us)
    math(EXPR after "${after} + 1")
  endif()
endforeach()
if(before LESS 2 OR after LESS 2)
  message(FATAL_ERROR "the Gantt around the replacement draws ${before} slices before it and ${after} after; expected some of each")
endif()

# Palettes: a VM, a run and a replacement phase never share a colour.
set(phase_names cease drain unload load migrate activate)
string(REGEX MATCHALL "<span class=\"key\"><i style=\"background:#[0-9a-f]+,\"></i>[^<]*</span>" key_list "${dom}")
set(vm_colors "")
set(phase_colors "")
foreach(key IN LISTS key_list)
  string(REGEX MATCH "background:(#[0-9a-f]+),\"></i>([^<]*)<" ignored "${key}")
  if(CMAKE_MATCH_2 IN_LIST phase_names)
    list(APPEND phase_colors ${CMAKE_MATCH_1})
  elseif(CMAKE_MATCH_2 MATCHES "^(web|batch|shell|service)")
    list(APPEND vm_colors ${CMAKE_MATCH_1})
  endif()
endforeach()
string(REGEX MATCHALL "<svg class=\"runmark\"[^>]*><line [^>]*stroke=\"#[0-9a-f]+\"" mark_list "${dom}")
set(run_colors "")
foreach(mark IN LISTS mark_list)
  string(REGEX MATCH "stroke=\"(#[0-9a-f]+)\"" ignored "${mark}")
  list(APPEND run_colors ${CMAKE_MATCH_1})
endforeach()
foreach(palette vm_colors phase_colors run_colors)
  list(REMOVE_DUPLICATES ${palette})
endforeach()
list(LENGTH vm_colors vms)
list(LENGTH phase_colors phases)
list(LENGTH run_colors run_marks)
if(NOT vms EQUAL 4 OR NOT phases EQUAL 6 OR run_marks LESS 1)
  message(FATAL_ERROR "colours: VMs ${vm_colors}, phases ${phase_colors}, runs ${run_colors}; expected 4 VM and 6 phase colours")
endif()
foreach(color IN LISTS vm_colors)
  if(color IN_LIST phase_colors OR color IN_LIST run_colors)
    message(FATAL_ERROR "VM colour ${color} is also a phase's or a run's (phases ${phase_colors}, runs ${run_colors})")
  endif()
endforeach()
foreach(color IN LISTS run_colors)
  if(color IN_LIST phase_colors)
    message(FATAL_ERROR "run colour ${color} is also a phase's (${phase_colors})")
  endif()
endforeach()

# The share chart's axes are titled.
expect_match("${dom}" ">share of all pCPU capacity \\(%\\)</text>" "the share chart's y axis title")
expect_match("${dom}" ">VM, grouped by run</text>" "the share chart's x axis title")

# The replacement bars: every phase wider than a pixel has the same pixels per cycle (both runs are at 1 GHz).
string(REGEX MATCHALL "width=\"[0-9.]+\" height=\"[0-9.]+\" fill=\"#[0-9a-f]+\"><title>[a-z]+: [0-9]+ cycles = " bar_list "${dom}")
set(bars "")
foreach(bar IN LISTS bar_list)
  string(REGEX MATCH "width=\"([0-9]+)\\.([0-9][0-9])\".*: ([0-9]+) cycles" ignored "${bar}")
  if(CMAKE_MATCH_1 GREATER_EQUAL 2)  # narrower ones may be drawn 1 px wide so that they show
    list(APPEND bars "${CMAKE_MATCH_1}${CMAKE_MATCH_2}:${CMAKE_MATCH_3}")
  endif()
endforeach()
list(LENGTH bars count)
if(count LESS 3)
  message(FATAL_ERROR "only ${count} replacement phase bars wider than 2 px: ${bar_list}")
endif()
list(GET bars 0 first)
string(REPLACE ":" ";" first "${first}")
list(GET first 0 w0)
list(GET first 1 c0)
foreach(bar IN LISTS bars)
  string(REPLACE ":" ";" bar "${bar}")
  list(GET bar 0 w)
  list(GET bar 1 c)
  # widths are in 1/100 px, rounded: w/c = w0/c0 within that rounding
  math(EXPR off "${w} * ${c0} - ${w0} * ${c}")
  math(EXPR tolerance "(${c} + ${c0}) / 2 + 1")
  if(off GREATER tolerance OR off LESS -${tolerance})
    message(FATAL_ERROR "phase bars not to one scale: ${w}/100 px for ${c} cycles, ${w0}/100 px for ${c0} cycles")
  endif()
endforeach()

# Each figure named: demand-aware fair share when results.json has it, else the weight-only entitlement.
file(READ ${WORK}/rr.json results)
string(JSON fair ERROR_VARIABLE no_fair GET "${results}" vms 0 fair_share)
if(no_fair)
  expect_match("${dom}" "entitlement \\(weight only\\) \\(pale, dashed\\)" "the share chart's key without fair_share")
  expect_match("${dom}" "<th>Jain's index \\(share ÷ entitlement, weight only\\)</th>" "the summary's Jain column")
else()
  expect_match("${dom}" "fair share \\(demand-aware\\) \\(pale, dashed\\)" "the share chart's key with fair_share")
  expect_match("${dom}" "<th>fair share, demand-aware \\(%\\)</th>" "the per-VM fair share column")
  expect_match("${dom}" "<th>Jain's index \\(share ÷ fair share, demand-aware\\)</th>" "the summary's Jain column")
endif()

# Two runs of each VM: a best one is marked where they differ.
expect_match("${dom}" "<td class=\"n best\">★ " "a best run marked in the per-VM table")
message("${out}")
