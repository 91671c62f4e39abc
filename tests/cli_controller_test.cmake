# The switching controller end to end (docs/controller.md): bad input is one
# line and exit 2; configs/controller.ini's decisions are in the text
# report, the JSON and the timeline, linked to the replacements they made;
# the resolved config replays the same run; and a controller whose rules
# never fire requests nothing and does not tie the results to the PIT.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

file(WRITE ${WORK}/ok.trace "vcpu 0\n  run 1ms\n")
file(WRITE ${WORK}/no_service.ini "[vm.a]\ntrace = ok.trace\n[controller.rule.r]\nmetric = utilisation\nwindow = 10ms\nabove = 0.5\naction = load bvt\n")
expect_bad_input("${WORK}/no_service.ini:4: [controller.rule.r]: the controller runs in the service VM, and there is none; expected a [service] section"
  run ${WORK}/no_service.ini)
set(config ${SRC}/configs/controller.ini)
expect_bad_input("--set: [controller.rule.slow] scope = 'nosuch': no VM has that name; expected all, shell, batch, service"
  run ${config} --set controller.rule.slow.scope=nosuch)
expect_bad_input("--set: [controller] budget = '1ms': unknown key; [controller] allows enabled, evaluation_cost, min_dwell, downtime_budget, budget_window, plugin, plugin_window, plugin_args"
  run ${config} --set controller.budget=1ms)

set(base run ${config} --until 1s)
vmmsim(0 out err ${base} --json ${WORK}/c.json --timeline ${WORK}/c.timeline.json --config-out ${WORK}/resolved.ini)
expect_match("${out}" "\nController \\(in the service VM: 9 evaluation\\(s\\) of 10000 cycles" "the text report's section")
expect_match("${out}" "  100000000    103207644        1380682      1380682  slow: input_p99 of shell 7.963 ms > 2.000 ms: load bvt \\(done, downtime 1.381 ms\\)"
  "the first decision in the text report")
file(READ ${WORK}/c.json json)
string(JSON decisions LENGTH "${json}" controller decisions)
string(JSON replacements LENGTH "${json}" replacements)
if(decisions LESS 2 OR NOT decisions EQUAL replacements)
  message(FATAL_ERROR "every decision made one replacement: ${decisions} decisions, ${replacements} replacements")
endif()
math(EXPR last "${decisions} - 1")
foreach(i RANGE ${last})
  string(JSON index GET "${json}" controller decisions ${i} replacement)
  string(JSON requester GET "${json}" replacements ${index} requester)
  string(JSON requested GET "${json}" replacements ${index} requested_at_cycles)
  string(JSON decided GET "${json}" controller decisions ${i} decided_at_cycles)
  string(JSON downtime GET "${json}" replacements ${index} downtime_cycles)
  string(JSON reported GET "${json}" controller decisions ${i} downtime_cycles)
  if(NOT requester STREQUAL "controller" OR NOT requested EQUAL decided OR NOT downtime EQUAL reported)
    message(FATAL_ERROR "decision ${i}: replacement ${index} by ${requester} at ${requested} (decided ${decided}), downtime ${downtime} (reported ${reported})")
  endif()
endforeach()
file(READ ${WORK}/c.timeline.json timeline)
expect_match("${timeline}" "\"args\": {\"name\": \"controller\"}" "the timeline's controller track")
expect_match("${timeline}" "{\"name\": \"controller slow: input_p99 of shell 7.963 ms > 2.000 ms: load bvt \\(done, downtime 1.381 ms\\)\", \"cat\": \"controller\", \"ph\": \"i\", \"s\": \"t\", \"ts\": 103207.644,"
  "the first decision's instant")

# The resolved config: the same run.
file(READ ${WORK}/resolved.ini resolved)
expect_match("${resolved}" "\n\\[controller.rule.quick\\]\nmetric = input_p99\nscope = shell\nwindow = 100000000\nbelow = 2000000\nmin_dwell = 0\naction = load rr,policy=auto\n"
  "the resolved config's rule")
vmmsim(0 out err run ${WORK}/resolved.ini --until 1s --json ${WORK}/replayed.json)
file(READ ${WORK}/replayed.json replayed)
foreach(key replacements vms "controller;decisions")
  string(JSON a GET "${json}" ${key})
  string(JSON b GET "${replayed}" ${key})
  # An action is reported as written; the resolved config writes every word.
  string(REGEX REPLACE "\"action\" : \"[^\"]*\"" "" a "${a}")
  string(REGEX REPLACE "\"action\" : \"[^\"]*\"" "" b "${b}")
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "the resolved config did not replay the run's ${key}:\n${a}\n${b}")
  endif()
endforeach()

# Rules that never fire: no request, and the guests' results do not move
# with a parameter that cannot matter to them (the PIT's rate under rr,
# which has no tick op: the controller's windows are timers of their own).
vmmsim(0 out err ${base} --json ${WORK}/quiet.json --set controller.rule.slow.above=10s --set controller.rule.quick.below=0)
file(READ ${WORK}/quiet.json quiet)
string(JSON n LENGTH "${quiet}" replacements)
string(JSON evaluations GET "${quiet}" controller evaluations)
vmmsim(0 out err ${base} --json ${WORK}/slow_pit.json --set controller.rule.slow.above=10s --set controller.rule.quick.below=0 --set pit.hz=100)
file(READ ${WORK}/slow_pit.json slow_pit)
string(JSON vms_a GET "${quiet}" vms)
string(JSON vms_b GET "${slow_pit}" vms)
if(NOT n EQUAL 0 OR NOT evaluations EQUAL 9 OR NOT vms_a STREQUAL vms_b)
  message(FATAL_ERROR "a quiet controller: ${n} replacements, ${evaluations} evaluations; its guests' results moved with the PIT's rate")
endif()
