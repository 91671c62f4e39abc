# Shadow evaluation (issue 15): --shadow and [run] shadow, sched-shadow in a
# service trace. A shadow is a measuring instrument: the guests' results are
# byte-identical with and without one, even one that throws or answers
# garbage; outputs are reproducible run to run unless --host-cost is asked.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(run run ${CONFIGS}/default.ini --until 300ms)

# The JSON without its shadows key, the report without its shadow section.
function(without_shadows json_file report out_json out_report)
  file(READ ${json_file} json)
  string(FIND "${json}" ",\n  \"shadows\": [" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${json_file}: no shadows key")
  endif()
  string(SUBSTRING "${json}" 0 ${at} json)
  string(FIND "${report}" "\nShadow evaluation" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "no Shadow evaluation section in:\n${report}")
  endif()
  string(SUBSTRING "${report}" 0 ${at} report)
  set(${out_json} "${json}\n}\n" PARENT_SCOPE)
  set(${out_report} "${report}" PARENT_SCOPE)
endfunction()

vmmsim(0 plain_report err ${run} --json ${WORK}/plain.json)
file(READ ${WORK}/plain.json plain)
if(plain MATCHES "shadows")
  message(FATAL_ERROR "a run without a shadow has a shadows key")
endif()

# A good shadow, one that throws from pick_next at 1 ms, one that answers an
# unknown vCPU from its 3rd decision, one over its host budget at once.
set(shadows
  "0:credit"
  "0:${PLUGINS}/vmmsim_throwing.so,op=7,at=1ms"
  "0:${PLUGINS}/vmmsim_broken.so,fault=1,after=2"
  "0:fifo,host_budget=1ns")
set(statuses running dropped dropped dropped)
set(i 0)
foreach(spec IN LISTS shadows)
  list(GET statuses ${i} status)
  vmmsim(0 report err ${run} --json ${WORK}/shadow${i}.json --shadow ${spec})
  without_shadows(${WORK}/shadow${i}.json "${report}" json report)
  if(NOT json STREQUAL plain)
    message(FATAL_ERROR "--shadow ${spec} changed the guests' results")
  endif()
  if(NOT report STREQUAL plain_report)
    message(FATAL_ERROR "--shadow ${spec} changed the report before its own section")
  endif()
  file(READ ${WORK}/shadow${i}.json text)
  expect_match("${text}" "\"status\": \"${status}\"" "--shadow ${spec}")
  if(text MATCHES "host_ns")
    message(FATAL_ERROR "host time in the JSON without --host-cost")
  endif()
  math(EXPR i "${i} + 1")
endforeach()

# Reproducible run to run with a shadow; host time only with --host-cost.
vmmsim(0 again err ${run} --json ${WORK}/again.json --shadow 0:credit)
file(READ ${WORK}/shadow0.json first)
file(READ ${WORK}/again.json second)
if(NOT first STREQUAL second)
  message(FATAL_ERROR "two runs with the same shadow differ")
endif()
expect_match("${first}" "\"pick_next\": {\"calls\": [0-9]+, \"compared\": [0-9]+, \"agreed\": [0-9]+, \"agreement\": 0\\.[0-9]+}"
             "pick_next agreement")
vmmsim(0 out err ${run} --json ${WORK}/cost.json --shadow 0:credit --host-cost)
file(READ ${WORK}/cost.json cost)
expect_match("${cost}" "\"host_ns_per_call\": [0-9]+\\.[0-9]" "--host-cost JSON")
expect_match("${out}" "host: [0-9.]+ ns per call over [0-9]+ calls; per decision \\(pick_next, [1-9][0-9]* of them\\) [0-9.]+ ns, the active scheduler's [0-9.]+ ns"
             "--host-cost report: the shadow's and the active scheduler's cost per decision")
expect_match("${cost}" "\"host_ns_per_pick\": [0-9]+\\.[0-9], \"active_host_ns_per_pick\": [0-9]+\\.[0-9]" "--host-cost JSON per decision")

# [run] shadow, as --shadow; the resolved config writes it back.
file(READ ${CONFIGS}/default.ini ini)
string(REPLACE "[run]" "[run]\nshadow = 0:rr,quantum=5ms,tolerance=1ms 100ms:unshadow" ini "${ini}")
string(REPLACE "../traces/" "${CONFIGS}/../traces/" ini "${ini}")
file(WRITE ${WORK}/with_shadow.ini "${ini}")
vmmsim(0 out err run ${WORK}/with_shadow.ini --until 300ms --config-out ${WORK}/resolved.ini)
expect_match("${out}" "rr by cli, 0 \\.\\. 100000000: ended" "[run] shadow")
file(READ ${WORK}/resolved.ini resolved)
expect_match("${resolved}" "shadow = 0:rr,quantum=5ms,tolerance=1ms 100000000:unshadow" "--config-out")

# Bad input: one line, exit 2.
expect_bad_input("--shadow '1ms': expected TIME:SCHEDULER[,KEY=VALUE...] or TIME:unshadow" ${run} --shadow 1ms)
expect_bad_input("--shadow '1ms:rr,policy=keep-old': 'policy=keep-old' for a shadow, which is never loaded into a slot; expected only KEY=VALUE parameters of the scheduler, tolerance= and host_budget="
                 ${run} --shadow 1ms:rr,policy=keep-old)
expect_bad_input("--shadow '1ms:nosuch': unknown scheduler 'nosuch'; expected a built-in (fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf) or a plugin path (.so)"
                 ${run} --shadow 1ms:nosuch)
expect_bad_input("--shadow '1ms:unshadow,rr': extra argument 'rr'; expected nothing after sched-unshadow (it ends the shadow on)"
                 ${run} --shadow 1ms:unshadow,rr)

# sched-shadow belongs to the service VM's trace.
file(WRITE ${WORK}/guest.trace "vcpu 0\n  run 1ms\n  sched-shadow rr\n")
file(WRITE ${WORK}/guest.ini "[vm.a]\ntrace = guest.trace\n")
expect_bad_input("${WORK}/guest.trace:3: sched-load, sched-stage, sched-unload, sched-shadow and sched-unshadow are service VM steps; expected them in the [service] trace, not in [vm.a]"
                 run ${WORK}/guest.ini)
file(WRITE ${WORK}/service.trace "vcpu 0\n  sched-shadow rr policy=auto\n")
file(WRITE ${WORK}/service.ini "[vm.a]\ntrace = ${CONFIGS}/../traces/cpu_bound_2vcpu.trace\n[service]\ntrace = service.trace\n")
vmmsim(2 out err run ${WORK}/service.ini)
expect_match("${err}" "^vmmsim: ${WORK}/service.trace:2: 'policy=auto' for a shadow" "sched-shadow policy=")
file(WRITE ${WORK}/service.trace "vcpu 0\n  sched-shadow nosuch\n")
vmmsim(2 out err run ${WORK}/service.ini)
expect_match("${err}" "^vmmsim: ${WORK}/service.trace:2: sched-shadow: unknown scheduler 'nosuch'" "sched-shadow nosuch")
file(WRITE ${WORK}/service.trace "vcpu 0\n  sched-unshadow now\n")
vmmsim(2 out err run ${WORK}/service.ini)
expect_match("${err}" "^vmmsim: ${WORK}/service.trace:2: extra argument 'now'" "sched-unshadow now")

# The timeline's shadow track: an instant where the shadow disagreed; no
# track without a shadow.
vmmsim(0 out err ${run} --timeline ${WORK}/plain-timeline.json)
file(READ ${WORK}/plain-timeline.json timeline)
if(timeline MATCHES "\"shadow\"")
  message(FATAL_ERROR "a shadow track without a shadow")
endif()
vmmsim(0 out err ${run} --timeline ${WORK}/shadow-timeline.json --shadow 0:fifo)
file(READ ${WORK}/shadow-timeline.json timeline)
expect_match("${timeline}" "\"tid\": [0-9]+, \"args\": {\"name\": \"shadow\"}" "shadow track")
expect_match("${timeline}" "{\"name\": \"fifo disagrees: pick_next cpu[0-9]\", \"cat\": \"shadow\", \"ph\": \"i\"" "shadow instant")
