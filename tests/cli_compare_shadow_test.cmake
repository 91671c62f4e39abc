# compare --shadow (issue 15): each config's scheduler runs with the candidate
# in shadow; the table and compare-shadow.csv give the agreement that `vmmsim
# run --shadow 0:TARGET` reports for the same run, a scheduler shadowing
# itself agrees on everything, and without --shadow nothing of it is written.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(cfg ${CONFIGS}/default.ini --until 200ms --jobs 2)

vmmsim(0 out err compare ${cfg} --schedulers fifo,credit --shadow credit --out ${WORK}/shadowed)
expect_match("${out}" "Shadow agreement" "the agreement table")
# credit shadowing credit: every answered kind agrees, and never diverges.
expect_match("${out}" "default--credit +credit +running +100\\.00% +100\\.00% +100\\.00% +100\\.00% +100\\.00% +- +0 +0\n"
             "credit shadowing itself")
file(STRINGS ${WORK}/shadowed/compare-shadow.csv csv)
list(LENGTH csv lines)
if(NOT lines EQUAL 3)
  message(FATAL_ERROR "compare-shadow.csv: expected a header and 2 rows, got ${lines}:\n${csv}")
endif()
list(GET csv 2 credit_row)
expect_match("${credit_row}" "^default--credit,.*,credit,credit,running,,0\\.000,200\\.000,1\\.000000,1\\.000000,1\\.000000,1\\.000000,1\\.000000,,,0,0,0,false$"
             "the CSV row of credit shadowing itself")

# fifo with credit in shadow: the figures are those of `vmmsim run`'s own report.
vmmsim(0 fifo_out err compare ${cfg} --schedulers fifo --shadow credit --out ${WORK}/fifo)
vmmsim(0 run_out err run ${CONFIGS}/default.ini --until 200ms --set vmm.scheduler=fifo --shadow 0:credit)
string(REGEX MATCH "pick_next ([0-9.]+%) agree" _ "${run_out}")
set(pick "${CMAKE_MATCH_1}")
string(REGEX MATCH "wake ([0-9.]+%) agree" _ "${run_out}")
set(wake "${CMAKE_MATCH_1}")
string(REGEX MATCH "the same next vCPU ([0-9.]+%)" _ "${run_out}")
set(same "${CMAKE_MATCH_1}")
if(NOT pick OR NOT wake OR NOT same)
  message(FATAL_ERROR "run --shadow 0:credit did not report agreement:\n${run_out}")
endif()
expect_match("${fifo_out}" "default--fifo +credit +running +${same} +${pick} +${wake} " "fifo shadowed by credit, as run reports it")
if(pick STREQUAL "100.00%")
  message(FATAL_ERROR "fifo and credit agreed on every pick_next: the textbook schedules differ")
endif()

# Two candidates: a run for each, named by the shadow.
vmmsim(0 out err compare ${cfg} --schedulers fifo --shadow credit --shadow rr,quantum=5ms --out ${WORK}/two)
expect_match("${out}" "default--fifo--shadow-credit +credit " "a run per shadow (credit)")
expect_match("${out}" "default--fifo--shadow-rr_quantum=5ms +rr " "a run per shadow (rr)")

# Without --shadow: no agreement table and no compare-shadow.csv.
vmmsim(0 out err compare ${cfg} --schedulers fifo --out ${WORK}/plain)
if(out MATCHES "Shadow agreement" OR EXISTS ${WORK}/plain/compare-shadow.csv)
  message(FATAL_ERROR "shadow agreement written without --shadow:\n${out}")
endif()

# Bad --shadow: one line naming the option, nothing written.
expect_bad_input("--shadow nosuch: unknown scheduler 'nosuch'; expected a built-in (fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf) or a plugin path (.so)"
                 compare ${cfg} --shadow nosuch --out ${WORK}/bad)
expect_bad_input("--shadow unshadow: expected a scheduler to shadow: TARGET[,KEY=VALUE...]"
                 compare ${cfg} --shadow unshadow --out ${WORK}/bad)
if(EXISTS ${WORK}/bad)
  message(FATAL_ERROR "compare wrote ${WORK}/bad for bad input")
endif()
