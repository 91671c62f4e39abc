# Staged images from the command line and the config (issue 15): bad input
# is one line and exit 2; a stage refused at planning leaves every guest
# result as it was; a resolved config (--config-out) replays the same run.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

expect_bad_input("--stage '1ms:bvt,policy=keep-old': 'policy=keep-old' with a stage; expected no policy= (a staged image replaces nothing until the sched-load that activates it, which takes the policy)"
  run ${SRC}/configs/default.ini --stage 1ms:bvt,policy=keep-old)
expect_bad_input("--stage '1ms': expected TIME:SCHEDULER[,source=NAME][,KEY=VALUE...]"
  run ${SRC}/configs/default.ini --stage 1ms)
expect_bad_input("--stage '1ms:nosuch': unknown scheduler 'nosuch'; expected a built-in (fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf) or a plugin path (.so)"
  run ${SRC}/configs/default.ini --stage 1ms:nosuch)
file(WRITE ${WORK}/guest.trace "# vmmsim-trace 1\nvcpu 0\n  sched-stage bvt\n  run 1ms\n")
file(WRITE ${WORK}/guest.ini "[vm.a]\ntrace = guest.trace\n")
expect_bad_input("${WORK}/guest.trace:3: sched-load, sched-stage, sched-unload, sched-shadow and sched-unshadow are service VM steps; expected them in the [service] trace, not in [vm.a]"
  run ${WORK}/guest.ini)

# Refused at planning (a parameter bvt lacks): no transfer, no pCPU time.
set(base run ${SRC}/configs/live-swap.ini --until 400ms)
vmmsim(0 out err ${base} --json ${WORK}/plain.json)
vmmsim(0 out err ${base} --json ${WORK}/refused.json --stage 300ms:bvt,nosuch=1)
file(READ ${WORK}/plain.json plain)
file(READ ${WORK}/refused.json refused)
foreach(key vms vcpus pcpus)
  string(JSON a GET "${plain}" ${key})
  string(JSON b GET "${refused}" ${key})
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "a refused stage changed the results' ${key}")
  endif()
endforeach()
string(JSON reason GET "${refused}" replacements 0 reason)
expect_match("${reason}" "bvt has no parameter 'nosuch'" "the refused stage's reason")
string(JSON downtime GET "${refused}" replacements 0 downtime_cycles)
if(NOT downtime EQUAL 0)
  message(FATAL_ERROR "a refused stage cost ${downtime} cycles of downtime")
endif()

# A stage and a swap at the same time, written swap first: the stage is
# served first, and the resolved config replays the same run.
vmmsim(0 out err ${base} --json ${WORK}/staged.json --swap 350ms:bvt --stage 350ms:bvt --config-out ${WORK}/resolved.ini)
file(READ ${WORK}/staged.json staged)
string(JSON first GET "${staged}" replacements 0 kind)
string(JSON second_staged GET "${staged}" replacements 1 staged)
string(JSON second_load GET "${staged}" replacements 1 phases_cycles load)
if(NOT first STREQUAL "stage" OR NOT second_staged STREQUAL "ON" OR NOT second_load EQUAL 0)
  message(FATAL_ERROR "stage then a staged load expected; got ${first}, staged ${second_staged}, load ${second_load}")
endif()
file(READ ${WORK}/resolved.ini resolved)
expect_match("${resolved}" "\nstage = 350000000:bvt\nswap = 350000000:bvt,policy=auto\n" "the resolved config's requests")
vmmsim(0 out err run ${WORK}/resolved.ini --until 400ms --json ${WORK}/replayed.json)
file(READ ${WORK}/replayed.json replayed)
string(JSON a GET "${staged}" replacements)
string(JSON b GET "${replayed}" replacements)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "the resolved config did not replay the stage and the swap:\n${a}\n${b}")
endif()
