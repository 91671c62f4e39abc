# compare with a switching controller (issue 16): static schedulers
# (`controller.enabled=false`) beside the controller on one workload, who wins
# per VM, and the switches' downtime in the controller table and
# compare-controller.csv. configs/controller.ini is docs/controller.md's
# example: an unguarded controller that loses to static rr, and hysteresis
# that stops its oscillation.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

vmmsim(0 out err compare ${CONFIGS}/controller.ini --schedulers rr --set controller.enabled=false,true
       --jobs 2 --out ${WORK}/cmp)
expect_match("${out}" "Switching controller \\(decisions in the service VM" "the controller table")
# The static run has no controller line; the controller's switches and their downtime.
expect_match("${out}" "\ncontroller--rr--controller.enabled=true +30 +30 +0 +0 +15\\.882 +0\\.490 +49\n"
             "the unguarded controller: 30 switches, 15.882 ms of downtime")
if(out MATCHES "\ncontroller--rr--controller.enabled=false +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ ")
  message(FATAL_ERROR "a static run in the controller table:\n${out}")
endif()
# Who wins: static rr's shell input p99 (7.963 ms, marked best) beats the controller's (9.110 ms).
expect_match("${out}" "controller--rr--controller.enabled=false +shell +[^\n]* 7\\.963\\* " "static rr wins input p99")
expect_match("${out}" "controller--rr--controller.enabled=true +shell +[^\n]* 9\\.110 " "the controller loses")
file(STRINGS ${WORK}/cmp/compare-controller.csv csv)
list(LENGTH csv lines)
list(GET csv 1 row)
if(NOT lines EQUAL 2 OR NOT row MATCHES "^controller--rr--controller.enabled=true,.*,rr,30,30,0,0,15\\.882,0\\.490,49,0,,false$")
  message(FATAL_ERROR "compare-controller.csv: expected a header and the controller's row:\n${csv}")
endif()

# Hysteresis: three switches instead of thirty.
vmmsim(0 out err compare ${CONFIGS}/controller.ini --schedulers rr --set controller.rule.quick.hysteresis=8ms
       --jobs 1 --out ${WORK}/hyst)
expect_match("${out}" "\ncontroller--rr +3 +3 +0 +0 " "hysteresis stops the oscillation")

# A stage switches nothing: one decision, done, no switch.
vmmsim(0 out err compare ${CONFIGS}/controller.ini --schedulers rr "--set=controller.rule.slow.action=stage bvt"
       --jobs 1 --out ${WORK}/stage)
expect_match("${out}" "\ncontroller--rr +1 +0 +0 +0 +0\\.000 " "a stage is a decision, not a switch")

# Without a controller in any run: no table, no CSV.
vmmsim(0 out err compare ${CONFIGS}/controller.ini --schedulers rr --set controller.enabled=false --out ${WORK}/off)
if(out MATCHES "Switching controller" OR EXISTS ${WORK}/off/compare-controller.csv)
  message(FATAL_ERROR "a controller table without a controller:\n${out}")
endif()

expect_bad_input("--set: [controller] enabled = 'maybe': expected true or false"
                 compare ${CONFIGS}/controller.ini --set controller.enabled=maybe --out ${WORK}/bad)
