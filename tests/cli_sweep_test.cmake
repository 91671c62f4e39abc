# vmmsim sweep (docs/sweeps.md): a plan's files, bad input that writes
# nothing, runs that are idempotent, atomic and safe to run at once, failure
# records, locks, signals, seeds, and collect giving compare's bytes.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

file(WRITE ${WORK}/short.trace "vcpu 0\n  repeat 20\n    run 1ms\n    io 1ms\n  end\n")
file(WRITE ${WORK}/a.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = short.trace\n")
file(WRITE ${WORK}/b.ini "[platform]\ncpus = 2\n[vm.a]\ntrace = short.trace\nvcpus = 2\n")
set(runs_args a.ini b.ini --schedulers rr,credit --until 30ms)

# vmmsim() and expect_bad_input() run from ${WORK}, where the configs are.
set(VMMSIM_WORKING_DIRECTORY ${WORK})
# `text` as a regular expression that matches it alone.
function(regex_quoted text out_var)
  string(REGEX REPLACE "([][()+*.?^$|\\\\])" "\\\\\\1" quoted "${text}")
  set(${out_var} "${quoted}" PARENT_SCOPE)
endfunction()
function(expect_listing dir expected what)
  file(GLOB names LIST_DIRECTORIES true RELATIVE ${dir} ${dir}/* ${dir}/.*)
  list(SORT names)
  if(NOT "${names}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: ${dir} holds '${names}', expected '${expected}'")
  endif()
endfunction()
# The table (without its last line, which names the folder), the CSV and
# the JSON of a collected sweep against compare's of the same runs.
function(expect_same_as_compare sweep_dir table compare_dir compare_table)
  string(REGEX REPLACE "\nwritten: [^\n]*\n$" "" a "${table}")
  string(REGEX REPLACE "\nwritten: [^\n]*\n$" "" b "${compare_table}")
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "the collected table:\n${a}\ncompare's:\n${b}")
  endif()
  foreach(f compare.csv compare.json)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${sweep_dir}/${f} ${compare_dir}/${f} RESULT_VARIABLE differ)
    if(differ)
      message(FATAL_ERROR "${sweep_dir}/${f} is not compare's ${compare_dir}/${f}")
    endif()
  endforeach()
endfunction()

vmmsim(0 compare_table err compare ${runs_args} --jobs 2 --out compared)

# The plan: its files, a manifest line per run, the scripts.
vmmsim(0 out err sweep plan ${runs_args} --chunk 3 --max-running 5 --out planned)
expect_match("${out}" "^planned 4 runs in ${WORK}/planned \\(vmmsim " "plan's first line")
expect_match("${out}" "sbatch ${WORK}/planned/slurm.sbatch \\(2 array tasks of 3 runs, at most 5 at once\\)" "plan's Slurm line")
expect_listing(${WORK}/planned "configs;failed;locks;logs;manifest.jsonl;parallel.sh;runs;slurm.sbatch;sweep.json" "a plan")
file(READ ${WORK}/planned/sweep.json header)
string(JSON format GET "${header}" format)
string(JSON git GET "${header}" planned_by git)
string(JSON cwd GET "${header}" cwd)
string(JSON words LENGTH "${header}" command)
math(EXPR words "${words} - 1")
string(JSON last GET "${header}" command ${words})
execute_process(COMMAND ${VMMSIM} --version OUTPUT_VARIABLE version)
regex_quoted("(git ${git})" git_regex)
if(NOT format STREQUAL "vmmsim-sweep 1" OR NOT version MATCHES "${git_regex}" OR NOT cwd STREQUAL WORK
   OR NOT last STREQUAL "planned")
  message(FATAL_ERROR "sweep.json: format '${format}', git '${git}' (${version}), cwd '${cwd}', command ends '${last}'")
endif()
file(STRINGS ${WORK}/planned/manifest.jsonl lines)
list(LENGTH lines n)
list(GET lines 3 line)
string(JSON index GET "${line}" index)
string(JSON name GET "${line}" name)
string(JSON scheduler GET "${line}" scheduler)
string(JSON key GET "${line}" overrides 0 key)
string(JSON seed TYPE "${line}" seed)
string(JSON resolved GET "${line}" resolved)
string(JSON input GET "${line}" inputs 1 path)
if(NOT n EQUAL 4 OR NOT index EQUAL 3 OR NOT name STREQUAL "b--credit" OR NOT scheduler STREQUAL "credit"
   OR NOT key STREQUAL "vmm.scheduler" OR NOT seed STREQUAL "NULL" OR NOT input STREQUAL "short.trace")
  message(FATAL_ERROR "manifest.jsonl: ${n} lines; the last: ${line}")
endif()
file(READ ${WORK}/planned/${resolved} resolved_text)
expect_match("${resolved_text}" "scheduler = credit" "the run's resolved config")
file(READ ${WORK}/planned/slurm.sbatch sbatch)
expect_match("${sbatch}" "\n#SBATCH --array=0-1%5\n" "slurm.sbatch: the array")
expect_match("${sbatch}" "sweep run ${WORK}/planned --index \\$\\(\\(SLURM_ARRAY_TASK_ID \\* 3\\)\\) --count 3 \"\\$@\"\n$" "slurm.sbatch: a chunk")
file(READ ${WORK}/planned/parallel.sh parallel)
expect_match("${parallel}" "\nseq 0 3 3 \\|\n" "parallel.sh: the chunks")
expect_match("${parallel}" "--sshloginfile \"\\$hosts\"" "parallel.sh: ssh hosts")

# Bad input: one line, exit 2, and nothing written (no folder made).
file(WRITE ${WORK}/taken/mine.txt "a user's\n")
expect_bad_input("--out taken: not empty; expected a new or empty folder (a sweep is planned once: plan another in a new folder)"
                sweep plan a.ini --out taken)
expect_listing(${WORK}/taken "mine.txt" "a refused plan")
expect_bad_input("--chunk 0: expected a whole number from 1 to 1000000" sweep plan a.ini --chunk 0 --out no1)
expect_bad_input("vmmsim sweep plan: missing --out DIR; expected the sweep's folder" sweep plan a.ini)
expect_bad_input("--seeds 2: a.ini has no trace that vmmsim trace gen wrote (none has a '# spec:' line), so no seed to vary; expected --seeds 1, or a config with a generated trace"
                sweep plan a.ini --seeds 2 --out no2/deeper)
expect_bad_input("--window 5ms:1ms: expected FROM:TO like 0:100ms" sweep plan a.ini --window 5ms:1ms --out no3)
expect_bad_input("a.ini and a.ini: the same run twice (one config file, the same --schedulers and --set values); expected each run once"
                sweep plan a.ini a.ini --out no4)
foreach(none no1 no2 no3 no4)
  if(EXISTS ${WORK}/${none})
    message(FATAL_ERROR "a refused plan left ${none}")
  endif()
endforeach()
expect_bad_input("taken: no sweep.json (not a sweep, or its plan did not finish); expected a folder planned by vmmsim sweep plan"
                sweep run taken --index 0)
expect_bad_input("--index 4: expected a run of the sweep, 0 to 3" sweep run planned --index 4)
expect_bad_input("--count 0: expected a whole number above 0" sweep run planned --index 0 --count 0)
expect_bad_input("vmmsim sweep: unknown subcommand 'launch'; expected plan, run, status or collect" sweep launch)
expect_listing(${WORK}/planned/runs "" "runs after bad input")

# One run: status and collect say what is missing.
vmmsim(0 out err sweep run planned --index 2)
expect_match("${err}" "^\\[1/1\\] b--rr done\n$" "one run's progress line")
expect_listing(${WORK}/planned/runs "b--rr" "one run done")
expect_listing(${WORK}/planned/runs/b--rr "complete.json;report.txt;resolved.ini;results.json;timeline.json" "a run's result")
vmmsim(1 out err sweep status planned)
expect_match("${out}" "^${WORK}/planned: 4 runs: 1 done, 0 failed, 3 missing \\(vmmsim " "status of one run")
expect_match("${out}" "\nmissing 0-1, 3\n$" "status: the missing runs")
vmmsim(0 out err sweep collect planned)
expect_match("${out}" "^PARTIAL: of 4 runs, 1 done, 0 failed, 3 missing \\(not run yet, or running\\)\n" "a partial table")
expect_match("${out}" "\na--rr +missing\na--credit +missing\nb--credit +missing\n" "the missing runs in the table")
file(READ ${WORK}/planned/compare.json partial_json)
string(JSON partial GET "${partial_json}" partial)
string(JSON first GET "${partial_json}" runs 0 status)
string(JSON third GET "${partial_json}" runs 2 status)
if(NOT partial OR NOT first STREQUAL "missing" OR NOT third STREQUAL "done")
  message(FATAL_ERROR "compare.json of a partial sweep: partial ${partial}, runs ${first}, ${third}")
endif()

# The rest, two at a time: the done run is skipped; then collect is compare's.
file(TIMESTAMP ${WORK}/planned/runs/b--rr/results.json before "%s%f")
vmmsim(0 out err sweep run planned --index 0 --count 9 --jobs 2)
expect_match("${err}" "b--rr done before\n" "a done run is skipped")
file(TIMESTAMP ${WORK}/planned/runs/b--rr/results.json after "%s%f")
vmmsim(0 out err sweep status planned)
vmmsim(0 table err sweep collect planned)
expect_same_as_compare(${WORK}/planned "${table}" ${WORK}/compared "${compare_table}")
expect_listing(${WORK}/planned/locks "" "locks after the runs")
if(NOT before STREQUAL after)
  message(FATAL_ERROR "a run done before was written again")
endif()

# Runs at once on the same runs: two workers, then two that ignore locks
# (both simulate a run, the first to finish puts it in place). Each run ends
# up done once, whole, compare's, with no hidden folder left.
foreach(round 1 2)
  vmmsim(0 out err sweep plan ${runs_args} --out together${round})
  set(both --index 0 --count 4)
  if(round EQUAL 2)
    list(APPEND both --ignore-locks)
  endif()
  execute_process(COMMAND ${VMMSIM} sweep run together${round} ${both}
                  COMMAND ${VMMSIM} sweep run together${round} ${both}
                  WORKING_DIRECTORY ${WORK} RESULTS_VARIABLE codes ERROR_VARIABLE err TIMEOUT 300)
  if(NOT codes STREQUAL "0;0")
    message(FATAL_ERROR "two workers at once: exits ${codes}\n${err}")
  endif()
  expect_listing(${WORK}/together${round}/runs "a--credit;a--rr;b--credit;b--rr" "runs of two workers")
  expect_listing(${WORK}/together${round}/locks "" "locks after two workers")
  vmmsim(0 table err sweep collect together${round})
  expect_same_as_compare(${WORK}/together${round} "${table}" ${WORK}/compared "${compare_table}")
endforeach()

# Locks: one of another host holds its run; one left by an ended process of
# this host is taken over.
vmmsim(0 out err sweep plan ${runs_args} --out locked)
file(WRITE ${WORK}/locked/locks/a--rr.lock "host elsewhere\nboot x\npid 4242\nstart 7\n")
vmmsim(0 out err sweep run locked --index 0)
expect_match("${err}" "^\\[1/1\\] a--rr held by another worker \\(host elsewhere, pid 4242\\)\n$" "a run held elsewhere")
vmmsim(1 out err sweep status locked)
expect_match("${out}" "\nrunning 0 a--rr: host elsewhere, pid 4242\nmissing 0-3\n$" "status of a held run")
execute_process(COMMAND uname -n OUTPUT_VARIABLE host OUTPUT_STRIP_TRAILING_WHITESPACE)
file(READ /proc/sys/kernel/random/boot_id boot)
string(STRIP "${boot}" boot)
file(WRITE ${WORK}/locked/locks/a--credit.lock "host ${host}\nboot ${boot}\npid 2147483646\nstart 1\n")
vmmsim(1 out err sweep status locked)
expect_match("${out}" "\nrunning 1 a--credit: host ${host}, pid 2147483646 \\(gone: the next sweep run of it takes its lock over\\)\n"
             "status of a stale lock")
vmmsim(0 out err sweep run locked --index 1)
expect_match("${err}" "a--credit done\n$" "a stale lock taken over")
vmmsim(0 out err sweep run locked --index 0 --ignore-locks)
expect_match("${err}" "a--rr done\n$" "--ignore-locks")
expect_listing(${WORK}/locked/locks "a--rr.lock" "locks: only the other host's is left")

# A failed run leaves its one-line error as its record; run again once its
# input is back as planned, it is done and the record goes.
vmmsim(0 out err sweep plan ${runs_args} --out failing)
file(APPEND ${WORK}/short.trace "# changed\n")
vmmsim(2 out err sweep run failing --index 0 --count 2)
set(changed "vmmsim: short.trace: changed since vmmsim sweep plan (an input of run a--rr); expected the planned file (plan the sweep again)")
regex_quoted("${changed}" changed_regex)
expect_match("${err}" "^\\[1/2\\] a--rr FAILED: ${changed_regex}\n" "a failed run's progress line")
file(READ ${WORK}/failing/failed/a--rr/errors.txt errors)
vmmsim(1 out err sweep status failing)
if(NOT errors STREQUAL "${changed}\n" OR NOT out MATCHES "\nfailed  0 a--rr: ${changed_regex}\nfailed  1 a--credit: ")
  message(FATAL_ERROR "a failed run: errors.txt '${errors}', status:\n${out}")
endif()
vmmsim(0 out err sweep collect failing)
expect_match("${out}" "^PARTIAL: of 4 runs, 0 done, 2 failed, 2 missing" "collect of failed runs")
file(WRITE ${WORK}/short.trace "vcpu 0\n  repeat 20\n    run 1ms\n    io 1ms\n  end\n")
file(APPEND ${WORK}/a.ini "[pit]\nhz = 100\n")
vmmsim(2 out err sweep run failing --index 0)
expect_match("${err}" "FAILED: vmmsim: a.ini: its resolved configuration is not the planned one \\(${WORK}/failing/configs/[0-9a-f]+[.]ini\\)"
             "a config changed since the plan")
file(WRITE ${WORK}/a.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = short.trace\n")
vmmsim(0 out err sweep run failing --index 0 --count 4)
vmmsim(0 out err sweep status failing)
expect_listing(${WORK}/failing/failed "" "failure records after the runs were done")

# Another vmmsim than the planner: every run fails, saying so.
vmmsim(0 out err sweep plan a.ini --out other)
file(READ ${WORK}/other/sweep.json header)
string(JSON header SET "${header}" planned_by git "\"0123456789ab\"")
file(WRITE ${WORK}/other/sweep.json "${header}")
vmmsim(2 out err sweep run other --index 0)
expect_match("${err}" "FAILED: vmmsim: ${WORK}/other/sweep.json: planned with vmmsim [^ ]+ \\(git 0123456789ab\\), and this is vmmsim "
             "another vmmsim")

# Seeds: a trace vmmsim trace gen wrote is made again with seed + k.
vmmsim(0 out err trace gen io-bound --count 40 --seed 5 -o ${WORK}/gen.trace)
file(WRITE ${WORK}/g.ini "[platform]\ncpus = 1\n[vm.g]\ntrace = gen.trace\n[vm.a]\ntrace = short.trace\n")
vmmsim(0 out err sweep plan g.ini --seeds 3 --until 50ms --out seeded)
file(GLOB traces RELATIVE ${WORK}/seeded/traces ${WORK}/seeded/traces/*)
if(NOT traces MATCHES "^gen-[0-9a-f]+-seed6[.]trace;gen-[0-9a-f]+-seed7[.]trace$")
  message(FATAL_ERROR "reseeded traces: '${traces}'")
endif()
file(STRINGS ${WORK}/seeded/manifest.jsonl lines)
list(GET lines 2 line)
string(JSON name GET "${line}" name)
string(JSON seed GET "${line}" seed)
string(JSON key GET "${line}" overrides 0 key)
string(JSON value GET "${line}" overrides 0 value)
if(NOT name STREQUAL "g--seed=2" OR NOT seed EQUAL 2 OR NOT key STREQUAL "vm.g.trace" OR NOT value MATCHES "/seeded/traces/gen-[0-9a-f]+-seed7[.]trace$")
  message(FATAL_ERROR "the third seed's line: ${line}")
endif()
file(GLOB seed7 ${WORK}/seeded/traces/*seed7.trace)
file(READ ${seed7} text)
vmmsim(0 out err trace gen io-bound --count 40 --seed 7 -o ${WORK}/gen7.trace)
file(READ ${WORK}/gen7.trace by_hand)
string(REGEX REPLACE "# command: [^\n]*\n" "" by_hand "${by_hand}")
if(NOT text STREQUAL by_hand)
  message(FATAL_ERROR "the reseeded trace is not trace gen's with --seed 7")
endif()
vmmsim(0 out err sweep run seeded --index 0 --count 3)
file(READ ${WORK}/seeded/runs/g--seed=0/results.json r0)
file(READ ${WORK}/seeded/runs/g--seed=2/results.json r2)
string(JSON wait0 GET "${r0}" vms 0 wait_cycles p99)
string(JSON wait2 GET "${r2}" vms 0 wait_cycles p99)
if(wait0 STREQUAL wait2)
  message(FATAL_ERROR "seeds 0 and 2 gave the same wait p99 (${wait0})")
endif()

# Signals, as Slurm's time limit or scancel sends them: the run stops early
# and is recorded failed with why; the runs not started stay missing; no
# lock and no hidden folder is left. A run killed from outside is failed too.
file(WRITE ${WORK}/busy.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 100us\n  end\n")
file(WRITE ${WORK}/long.ini "[platform]\ncpus = 2\n[vm.a]\ntrace = busy.trace\n[vm.b]\ntrace = busy.trace\n[run]\nuntil = 1000000s\n")
# stopped(NAME SCHEDULERS SIGNAL): plans long.ini under SCHEDULERS into
# ${WORK}/NAME, starts `sweep run` of all, waits for its first run's process,
# sends SIGNAL (`run:SIG` to the run instead); sets `code` and `err`.
function(stopped name schedulers signal)
  vmmsim(0 out err sweep plan long.ini --schedulers ${schedulers} --out ${name})
  execute_process(
    COMMAND sh -c "echo $$ > \"$0.pid\"; exec \"$1\" sweep run \"$0\" --index 0 --count 2" ${WORK}/${name} ${VMMSIM}
    COMMAND sh -c "while [ ! -s \"$0.pid\" ]; do sleep 0.05; done; pid=$(cat \"$0.pid\")
                   while [ -z \"$(cat /proc/$pid/task/$pid/children 2>/dev/null)\" ]; do sleep 0.05; done
                   case $1 in run:*) kill -\${1#run:} $(cat /proc/$pid/task/$pid/children);; *) kill -$1 $pid;; esac
                   cat >/dev/null" ${WORK}/${name} ${signal}
    WORKING_DIRECTORY ${WORK} RESULTS_VARIABLE codes ERROR_VARIABLE err_text
    TIMEOUT 300)  # a safety net against a regression that hangs, not a timed assertion
  list(GET codes 0 first)
  set(code "${first}" PARENT_SCOPE)
  set(err "${err_text}" PARENT_SCOPE)
endfunction()
stopped(term rr,bvt TERM)
set(line "vmmsim: SIGTERM: stopped early; the results cover the simulated time so far (partial)")
file(READ ${WORK}/term/failed/long--rr/errors.txt errors)
if(NOT code EQUAL 143 OR NOT errors STREQUAL "${line}\n")
  message(FATAL_ERROR "sweep run stopped by SIGTERM: exit ${code}, errors.txt '${errors}'\n${err}")
endif()
expect_match("${err}" "vmmsim: SIGTERM: stopped; the runs it stopped are failed, the runs not started are missing: run them again\n$" "SIGTERM: the last line")
expect_listing(${WORK}/term/runs "" "runs after SIGTERM")
expect_listing(${WORK}/term/locks "" "locks after SIGTERM")
expect_listing(${WORK}/term/failed/long--rr "errors.txt;report.txt;resolved.ini;results.json;timeline.json" "the stopped run's record")
vmmsim(1 out err sweep status term)
regex_quoted("failed  0 long--rr: ${line}\nmissing 1\n" status_regex)
expect_match("${out}" "${status_regex}$" "status after SIGTERM")
stopped(killed rr run:KILL)
file(READ ${WORK}/killed/failed/long--rr/errors.txt errors)
if(NOT code EQUAL 1 OR NOT errors STREQUAL "vmmsim: killed by SIGKILL\n")
  message(FATAL_ERROR "a run killed by SIGKILL: exit ${code}, errors.txt '${errors}'\n${err}")
endif()
expect_match("${err}" "long--rr FAILED: killed by SIGKILL\n" "SIGKILL: the progress line")

# From another folder, as Slurm starts a task in the folder sbatch ran in and
# parallel over ssh in the home folder: the manifest's relative paths start
# in the folder the plan ran in, and a plan of absolute paths does not need
# that folder on the host that runs it.
vmmsim(0 out err sweep plan ${runs_args} --out elsewhere)
execute_process(COMMAND ${VMMSIM} sweep run ${WORK}/elsewhere --index 0 --count 4 WORKING_DIRECTORY /
                RESULT_VARIABLE code ERROR_VARIABLE err TIMEOUT 300)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "sweep run of relative paths from another folder: exit ${code}\n${err}")
endif()
file(MAKE_DIRECTORY ${WORK}/plan_here)
execute_process(COMMAND ${VMMSIM} sweep plan ${WORK}/a.ini --until 30ms --out ${WORK}/absolute
                WORKING_DIRECTORY ${WORK}/plan_here RESULT_VARIABLE code OUTPUT_QUIET ERROR_VARIABLE err)
file(REMOVE_RECURSE ${WORK}/plan_here)  # a login node's folder that the compute nodes do not have
execute_process(COMMAND ${VMMSIM} sweep run ${WORK}/absolute --index 0 WORKING_DIRECTORY /
                RESULT_VARIABLE code ERROR_VARIABLE err TIMEOUT 300)
if(NOT code EQUAL 0 OR NOT err STREQUAL "[1/1] a done\n")
  message(FATAL_ERROR "sweep run of absolute paths, planned in a folder gone since: exit ${code}\n${err}")
endif()

# A count past the last run stops there, however large.
vmmsim(0 out err sweep run elsewhere --index 3 --count 18446744073709551615)
expect_match("${err}" "^\\[1/1\\] b--credit done before\n$" "--count 2^64 - 1")

# After a node died with its locks: `sbatch slurm.sbatch --ignore-locks`
# gives the option to each task's sweep run.
vmmsim(0 out err sweep plan ${runs_args} --out requeued)
file(WRITE ${WORK}/requeued/locks/a--rr.lock "host node7\nboot x\npid 4242\nstart 7\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E env SLURM_ARRAY_TASK_ID=0 sh requeued/slurm.sbatch --ignore-locks
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE code ERROR_VARIABLE err TIMEOUT 300)
if(NOT code EQUAL 0 OR NOT err STREQUAL "[1/1] a--rr done\n")
  message(FATAL_ERROR "slurm.sbatch --ignore-locks: exit ${code}\n${err}")
endif()

# The sweep's own runs/ folder unwritable (here a file in its place): an
# output that cannot be written (exit 74, as a lock's), not bad input (2).
vmmsim(0 out err sweep plan ${runs_args} --out no_runs)
file(REMOVE_RECURSE ${WORK}/no_runs/runs)
file(WRITE ${WORK}/no_runs/runs "")
vmmsim(74 out err sweep run no_runs --index 0)
expect_match("${err}" "no_runs/runs/a--rr: cannot create" "an unwritable runs/ folder")
