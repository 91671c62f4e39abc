# compare's timelines (issue 14): without --window each run's timeline holds
# 0:100ms and the neighbourhood of its first replacement, wherever it falls
# (20 ms before its first cease to max(20 ms, 4 x its span) after its last
# phase), and the page gets no window (it opens its Gantt chart around the
# replacement). With --window, or without a replacement, the timeline is the
# one window's, byte for byte as `run --window`.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(swap ${CONFIGS}/live-swap.ini --until 600ms)  # the service VM asks for bvt at ~512 ms

# The whole run, and compare's run of the same, with no window.
vmmsim(0 out err run ${swap} --set vmm.scheduler=credit --timeline ${WORK}/whole.json)
vmmsim(0 out err compare ${swap} --schedulers credit --out ${WORK}/near)
set(run_dir ${WORK}/near/live-swap--credit)
file(READ ${run_dir}/results.json results)
string(JSON hz GET "${results}" clock_hz)
if(NOT hz EQUAL 1000000000)
  message(FATAL_ERROR "expected a 1 GHz clock (a cycle a ns), got ${hz}")
endif()
string(JSON first_cease GET "${results}" replacements 0 started_at_cycles)
string(JSON downtime GET "${results}" replacements 0 downtime_cycles)
string(JSON unload_after GET "${results}" replacements 0 phases_cycles unload_after)
if(first_cease LESS 400000000)
  message(FATAL_ERROR "the replacement began at ${first_cease} ns; expected one past 400 ms")
endif()
math(EXPR last_phase_end "${first_cease} + ${downtime} + ${unload_after}")
math(EXPR after "4 * (${last_phase_end} - ${first_cease})")
if(after LESS 20000000)
  set(after 20000000)
endif()
math(EXPR near_from "${first_cease} - 20000000")
math(EXPR near_to "${last_phase_end} + ${after}")
set(windows "0:100000000" "${near_from}:${near_to}")

timed_events(${WORK}/whole.json whole)
timed_events(${run_dir}/timeline.json near)
# Each slice of the whole run that overlaps a window, clipped to it, and each
# instant and counter change within one is in compare's timeline; nothing else
# is but the counter at a window's start.
set(expected "")
foreach(e IN LISTS whole)
  foreach(w IN LISTS windows)
    string(REPLACE ":" ";" w "${w}")
    list(GET w 0 from)
    list(GET w 1 to)
    append_clipped("${e}" ${from} ${to} expected)
  endforeach()
endforeach()
set(neighbours 0)
foreach(e IN LISTS near)
  list(FIND expected "${e}" at)
  if(at EQUAL -1 AND NOT e MATCHES "^C (0|${near_from}) ")
    message(FATAL_ERROR "not an event of the whole run within 0:100ms or ${near_from}:${near_to} ns: ${e}")
  endif()
  if(e MATCHES "^X ")
    string(REPLACE " " ";" f "${e}")
    list(GET f 1 start)
    if(NOT start LESS near_from)
      math(EXPR neighbours "${neighbours} + 1")
    endif()
  endif()
endforeach()
foreach(e IN LISTS expected)
  list(FIND near "${e}" at)
  if(at EQUAL -1 AND NOT e MATCHES "^C ")  # counters: only changes are written
    message(FATAL_ERROR "missing from compare's timeline: ${e}")
  endif()
endforeach()
if(neighbours LESS 20)
  message(FATAL_ERROR "only ${neighbours} slices around the replacement at ${first_cease} ns")
endif()
expect_match("${near}" "(^|;)i ${first_cease} ${first_cease} load_credit_->_bvt(;|$)" "the replacement's instant")
foreach(phase cease drain load migrate activate unload_after)
  expect_match("${near}" "(^|;)X [0-9]+ [0-9]+ ${phase}(;|$)" "the replacement's ${phase} phase")
endforeach()
expect_match("${near}" "(^|;)X ${near_from} [0-9]+ [a-z]+\\.[0-9](;|$)" "a slice clipped at the neighbourhood's start")
expect_match("${near}" "(^|;)C ${near_from} " "the run-queue count at the neighbourhood's start")
# The page gets no window of compare's choosing.
file(READ ${WORK}/near/compare.html page)
expect_match("${page}" "\"window_ms\": \\[0\\.000000, 0\\.000000\\]" "compare.html's window without --window")
if(page MATCHES "Gantt window [0-9]")
  message(FATAL_ERROR "compare.html names a Gantt window that nobody chose")
endif()

# --window: that window only, as `run --window` writes it; the page gets it.
vmmsim(0 out err compare ${swap} --schedulers credit --out ${WORK}/given --window 480ms:560ms)
vmmsim(0 out err run ${swap} --set vmm.scheduler=credit --timeline ${WORK}/given.json --window 480ms:560ms)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/given.json ${WORK}/given/live-swap--credit/timeline.json
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "compare --window 480ms:560ms wrote another timeline than run --window 480ms:560ms")
endif()
file(READ ${WORK}/given/compare.html page)
expect_match("${page}" "\"window_ms\": \\[480\\.000000, 560\\.000000\\]" "compare.html's window with --window")

# No replacement: the timeline is 0:100ms's, as `run --window 0:100ms` writes it.
vmmsim(0 out err compare ${CONFIGS}/default.ini --until 300ms --schedulers credit --out ${WORK}/calm)
vmmsim(0 out err run ${CONFIGS}/default.ini --until 300ms --set vmm.scheduler=credit --timeline ${WORK}/calm.json
       --window 0:100ms)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/calm.json ${WORK}/calm/default--credit/timeline.json
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "without a replacement compare wrote another timeline than run --window 0:100ms")
endif()

vmmsim(0 out err compare --help)
string(REGEX REPLACE "[ \n]+" " " help "${out}")
expect_match("${help}" "--window arg time window FROM:TO [^-]* first replacement" "compare --help on the default timelines")
