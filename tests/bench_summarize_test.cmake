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
run_record(short 3000000 2000 800 1000000 short)
run_record(long 4000000 3000 1200 1200000 long)
file(WRITE ${WORK}/runs.jsonl
  "{\"label\": \"callgrind\", \"case\": \"medium/rr\", \"short\": ${short}, \"long\": ${long}, "
  "\"baseline_short\": {\"activations\": 10000, \"ir\": 500000}, \"baseline_long\": {\"activations\": 100000, \"ir\": 5000000}}\n")

vmmsim(0 out err summarize ${WORK}/runs.jsonl --line callgrind)
expect_match("${out}" "callgrind medium/rr: 1000 instructions per request = 20.0x the bare activation \\(50 per activation\\), 2500 per decision = 50.0x"
             "the whole run's instructions")
expect_match("${out}" "outside the policy: 800 per request = 16.00x, 2000 per decision = 40.00x"
             "outside the policy, per request and per decision")

vmmsim(0 out err summarize ${WORK}/runs.jsonl --targets --out ${WORK}/results.json)
expect_match("${out}" "MISSED medium: instructions per request outside the policy / per bare activation's 50 \\(callgrind\\): 16 \\(limit 2\\)"
             "the per-request target outside the policy")
file(READ ${WORK}/results.json results)
expect_match("${results}" "\"ir_outside_policy_per_request\": 800(\\.0*)?, \"outside_policy_request_ratio\": 16(\\.0*)?[},]"
             "results.json: outside the policy per request")
