# vmmsim_bench summarize (bench/summarize.cpp) on a callgrind record made by
# hand: the instructions outside the policy, per request and per decision,
# are the long run's minus the short run's, less the policy's own, over the
# requests and decisions between them, as multiples of the bare activation's.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
set(VMMSIM ${BENCH})
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# Bare activation: (5,000,000 - 500,000) / (100,000 - 10,000) = 50 instructions.
# Between the runs: 1,000,000 more instructions, 200,000 of them the policy's,
# 1,000 more requests, 400 more decisions. Outside the policy: 800 per request
# (16.00x), 2,000 per decision (40.00x); in all 1,000 per request, 2,500 per decision.
function(run_record label ir requests decisions policy_ir out_var)
  set(${out_var} "{\"ir\": ${ir}, \"policy_ir\": ${policy_ir}, \"run\": {\"kind\": \"case\", \"sim_s\": 1.0, \"requests\": ${requests}, \"decisions\": ${decisions}}}" PARENT_SCOPE)
endfunction()
set(baselines "\"baseline_short\": {\"activations\": 10000, \"ir\": 500000}, \"baseline_long\": {\"activations\": 100000, \"ir\": 5000000}")
run_record(short 3000000 2000 800 1000000 short)
run_record(long 4000000 3000 1200 1200000 long)
# A second case whose policy was not counted (its entry points inlined, an
# annotate that failed): nothing outside the policy, null in results.json.
run_record(short 3000000 2000 800 null uncounted_short)
run_record(long 4000000 3000 1200 null uncounted_long)
file(WRITE ${WORK}/runs.jsonl
  "{\"label\": \"callgrind\", \"case\": \"medium/bvt\", \"short\": ${uncounted_short}, \"long\": ${uncounted_long}, ${baselines}}\n"
  "{\"label\": \"callgrind\", \"case\": \"medium/rr\", \"short\": ${short}, \"long\": ${long}, ${baselines}}\n")

vmmsim(0 out err summarize ${WORK}/runs.jsonl --line callgrind)
expect_match("${out}" "callgrind medium/rr: 1000 instructions per request = 20.0x the bare activation \\(50 per activation\\), 2500 per decision = 50.0x"
             "the whole run's instructions")
expect_match("${out}" "outside the policy: 800 per request = 16.00x, 2000 per decision = 40.00x"
             "outside the policy, per request and per decision")

vmmsim(0 out err summarize ${WORK}/runs.jsonl --targets --out ${WORK}/results.json)
expect_match("${out}" "MISSED medium: instructions per request outside the policy / per bare activation's 50 \\(callgrind\\): 16 \\(limit 2\\)"
             "the per-request target outside the policy")
# results.json parses, and holds both cases' figures (null where not counted).
file(READ ${WORK}/results.json results)
string(JSON count LENGTH "${results}" callgrind)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "results.json: ${count} callgrind records, expected 2")
endif()
foreach(i RANGE 1)
  string(JSON label GET "${results}" callgrind ${i} case)
  # A number as written (800, 16); a null as NULL (string(JSON GET) gives it as "").
  set(got)
  foreach(key ir_outside_policy_per_request outside_policy_request_ratio ir_outside_policy_per_decision)
    string(JSON type TYPE "${results}" callgrind ${i} ${key})
    if(type STREQUAL "NULL")
      list(APPEND got NULL)
    else()
      string(JSON value GET "${results}" callgrind ${i} ${key})
      list(APPEND got ${value})
    endif()
  endforeach()
  list(GET got 0 per_request)
  list(GET got 1 ratio)
  list(GET got 2 per_decision)
  if(label STREQUAL "medium/rr")
    set(expected "800 16 2000")
  else()
    set(expected "NULL NULL NULL")
  endif()
  if(NOT "${per_request} ${ratio} ${per_decision}" STREQUAL "${expected}")
    message(FATAL_ERROR "results.json ${label}: outside the policy ${per_request} per request (${ratio}x), "
                        "${per_decision} per decision; expected ${expected}")
  endif()
endforeach()
