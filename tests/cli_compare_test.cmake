# vmmsim compare (docs/compare.md): a folder of its own per run, --jobs
# checked, and signals that stop every run cleanly and still give a summary,
# marked partial, of what ran.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/d1 ${WORK}/d2 ${WORK}/x/d1)

file(WRITE ${WORK}/short.trace "vcpu 0\n  repeat 20\n    run 1ms\n    io 1ms\n  end\n")
file(WRITE ${WORK}/d1/a.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = ../short.trace\n")
file(WRITE ${WORK}/d2/a.ini "[platform]\ncpus = 2\n[vm.a]\ntrace = ../short.trace\nvcpus = 2\n")
file(WRITE ${WORK}/x/d1/a.ini "[platform]\ncpus = 3\n[vm.a]\ntrace = ../../short.trace\n")

# Two configs with one name: a folder and a result each, named by their folders.
foreach(round 1 2)
  vmmsim(0 out err compare ${WORK}/d1/a.ini ${WORK}/d2/a.ini --schedulers rr --jobs 2 --out ${WORK}/two${round})
endforeach()
file(READ ${WORK}/two1/d1_a--rr/resolved.ini r1)
file(READ ${WORK}/two1/d2_a--rr/resolved.ini r2)
expect_match("${r1}" "cpus = 1" "d1/a.ini's run in d1_a--rr")
expect_match("${r2}" "cpus = 2" "d2/a.ini's run in d2_a--rr")
file(GLOB names1 RELATIVE ${WORK}/two1 ${WORK}/two1/*)
file(GLOB names2 RELATIVE ${WORK}/two2 ${WORK}/two2/*)
if(NOT names1 STREQUAL "compare.csv;compare.html;compare.json;compare.manifest;d1_a--rr;d2_a--rr" OR NOT names1 STREQUAL names2)
  message(FATAL_ERROR "compare folders: '${names1}' then '${names2}'")
endif()
# Folders named alike too (d1/a.ini and x/d1/a.ini): a short hash of the path.
vmmsim(0 out err compare ${WORK}/d1/a.ini ${WORK}/x/d1/a.ini --jobs 1 --out ${WORK}/hashed)
file(GLOB hashed RELATIVE ${WORK}/hashed ${WORK}/hashed/a-*)
list(LENGTH hashed n)
if(NOT n EQUAL 2 OR NOT hashed MATCHES "^a-[0-9a-f]+;a-[0-9a-f]+$")
  message(FATAL_ERROR "configs in folders of one name: runs ${hashed}")
endif()
# Config names that are no plain folder name: `...ini` (stem `..`: its run
# went into the folder above --out, over a report.txt there), `..ini` (stem
# `.`: its files at the top of --out), a hidden `.hidden.ini`, and
# `compare.csv.ini` (one of compare's own files: refused as "is a
# directory"). Each run gets a folder of its own inside --out, and nothing
# is written outside it.
file(MAKE_DIRECTORY ${WORK}/odd/cfg ${WORK}/odd/above)
file(WRITE ${WORK}/odd/cfg/s.trace "vcpu 0\n  run 1ms\n")
file(WRITE ${WORK}/odd/above/report.txt "not compare's\n")
set(odd_configs)
foreach(stem .. . .hidden compare.csv)
  file(WRITE "${WORK}/odd/cfg/${stem}.ini" "[platform]\ncpus = 1\n[vm.a]\ntrace = s.trace\n")
  list(APPEND odd_configs "${WORK}/odd/cfg/${stem}.ini")
endforeach()
vmmsim(0 out err compare ${odd_configs} --jobs 2 --out ${WORK}/odd/above/out)
file(GLOB above RELATIVE ${WORK}/odd/above ${WORK}/odd/above/*)
file(READ ${WORK}/odd/above/report.txt kept)
if(NOT above STREQUAL "out;report.txt" OR NOT kept STREQUAL "not compare's\n")
  message(FATAL_ERROR "compare wrote outside --out: '${above}', report.txt '${kept}'")
endif()
file(GLOB odd RELATIVE ${WORK}/odd/above/out ${WORK}/odd/above/out/*)
if(NOT odd STREQUAL "_;__;_hidden;compare.csv;compare.html;compare.json;compare.manifest;run-compare.csv")
  message(FATAL_ERROR "run folders of odd config names: '${odd}'")
endif()
foreach(run _ __ _hidden run-compare.csv)
  file(GLOB files RELATIVE ${WORK}/odd/above/out/${run} ${WORK}/odd/above/out/${run}/*)
  if(NOT files STREQUAL "report.txt;resolved.ini;results.json;timeline.json")
    message(FATAL_ERROR "run folder ${run}: '${files}'")
  endif()
endforeach()

# The same run twice is bad input.
expect_bad_input("${WORK}/d1/a.ini and ${WORK}/d1/../d1/a.ini: the same run twice (one config file, the same --schedulers and --set values); expected each run once"
                 compare ${WORK}/d1/a.ini ${WORK}/d1/../d1/a.ini --out ${WORK}/twice)

# A refused comparison leaves nothing behind: an --out over an input is
# refused before any run folder is made.
file(MAKE_DIRECTORY ${WORK}/refused)
file(READ ${WORK}/d1/a.ini a_ini)
string(REPLACE "trace = " "trace = ${WORK}/d1/" a_ini_abs "${a_ini}")
file(WRITE ${WORK}/refused/compare.csv "${a_ini_abs}")
expect_bad_input("${WORK}/refused/compare.csv: refusing to overwrite an input file (${WORK}/refused/compare.csv) with --out; expected an output that is no input"
                 compare ${WORK}/refused/compare.csv --schedulers rr --out ${WORK}/refused)
file(GLOB left RELATIVE ${WORK}/refused ${WORK}/refused/*)
if(NOT left STREQUAL "compare.csv")
  message(FATAL_ERROR "a refused compare left '${left}' in its --out folder")
endif()

# A run's report.txt that a user made a symbolic link in an earlier
# comparison's folder: the new comparison replaces the folder whole, so the
# link goes with it and the file it named is untouched (it was written
# through the link before compare replaced its folders whole).
vmmsim(0 out err compare ${WORK}/d1/a.ini --schedulers rr --jobs 1 --out ${WORK}/linked/out)
file(WRITE ${WORK}/linked/victim.txt "the old text\n")
file(REMOVE ${WORK}/linked/out/a--rr/report.txt)
file(CREATE_LINK ../../victim.txt ${WORK}/linked/out/a--rr/report.txt SYMBOLIC)
vmmsim(0 out err compare ${WORK}/d1/a.ini --schedulers rr --jobs 1 --out ${WORK}/linked/out)
file(READ ${WORK}/linked/victim.txt victim)
file(READ ${WORK}/linked/out/a--rr/report.txt report)
if(IS_SYMLINK ${WORK}/linked/out/a--rr/report.txt OR NOT victim STREQUAL "the old text\n"
   OR NOT report MATCHES "^vmmsim report: ")
  message(FATAL_ERROR "report.txt as a link: its file '${victim}', the new report '${report}'")
endif()

# --jobs: 1 to 256.
foreach(jobs 0 -1 257 two 1.5)
  expect_bad_input("--jobs ${jobs}: expected a whole number from 1 to 256"
                   compare ${WORK}/d1/a.ini --jobs ${jobs} --out ${WORK}/jobs)
endforeach()
# An empty value is no number either (it was taken as the default). Not
# through expect_bad_input: a list drops its empty elements.
execute_process(COMMAND ${VMMSIM} compare ${WORK}/d1/a.ini --jobs "" --out ${WORK}/jobs
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 2 OR NOT err STREQUAL "vmmsim: --jobs : expected a whole number from 1 to 256\n" OR EXISTS ${WORK}/jobs)
  message(FATAL_ERROR "--jobs '': exit ${code}, stderr '${err}'")
endif()
vmmsim(0 out err compare ${WORK}/d1/a.ini --jobs 256 --out ${WORK}/jobs)

# Signals. Two runs of 11.6 simulated days (minutes of host time), one at a time: the first runs, the second waits.
file(WRITE ${WORK}/busy.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 100us\n  end\n")
file(WRITE ${WORK}/long.ini "[platform]\ncpus = 2\n[vm.a]\ntrace = busy.trace\n[vm.b]\ntrace = busy.trace\n[run]\nuntil = 1000000s\n")
# compare_with(NAME SCHEDULERS SIGNALS...): runs the comparison of
# long.ini under SCHEDULERS into ${WORK}/NAME, one run at a time, waits
# until its first run has started (compare has a child process: no clock
# involved), stops the parent, sends SIGNALS back to back (`run:SIG` to the
# run instead) and lets it go on; sets
# `code` (exit code or CMake's name of the signal), `out`, `err`, and
# `orphans` (processes still writing into the folder after compare ended).
function(compare_with name schedulers)
  set(dir ${WORK}/${name})
  string(REPLACE ";" " " kills "${ARGN}")
  execute_process(
    COMMAND sh -c "echo $$ > \"$0.pid\"; exec \"$1\" compare \"$2\" --schedulers $3 --jobs 1 --out \"$0\""
            ${dir} ${VMMSIM} ${WORK}/long.ini ${schedulers}
    COMMAND sh -c "while [ ! -s \"$0.pid\" ]; do sleep 0.05; done; pid=$(cat \"$0.pid\")
                   while [ -z \"$(cat /proc/$pid/task/$pid/children 2>/dev/null)\" ]; do sleep 0.05; done
                   run=$(cat /proc/$pid/task/$pid/children)
                   kill -STOP $pid
                   for s in $1; do case $s in run:*) kill -\${s#run:} $run;; *) kill -$s $pid;; esac; done
                   kill -CONT $pid
                   cat >/dev/null
                   for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q -- \"--out $0 \" && echo $p; done"
            ${dir} "${kills}"
    RESULTS_VARIABLE codes OUTPUT_VARIABLE orphans ERROR_VARIABLE err_text
    TIMEOUT 300)  # a safety net against a regression that hangs, not a timed assertion
  list(GET codes 0 code)
  set(code "${code}" PARENT_SCOPE)
  set(err "${err_text}" PARENT_SCOPE)
  set(orphans "${orphans}" PARENT_SCOPE)
endfunction()

# What a stopped comparison leaves: whole files only, in every run's folder.
function(expect_only_whole_files dir)
  file(GLOB_RECURSE all RELATIVE ${dir} ${dir}/*)
  foreach(f ${all})
    if(NOT f MATCHES "^(compare[.](csv|json|html|manifest)|long--(rr|bvt)/(errors[.]txt|report[.]txt|resolved[.]ini|results[.]json|timeline[.]json))$")
      message(FATAL_ERROR "${dir}: a file that is no output: ${f}")
    endif()
  endforeach()
endfunction()

foreach(signal_code "INT;130" "TERM;143" "HUP;129")
  list(GET signal_code 0 signal)
  list(GET signal_code 1 expected)
  compare_with(stop-${signal} rr,bvt ${signal})
  if(NOT code EQUAL expected OR orphans)
    message(FATAL_ERROR "compare stopped by SIG${signal}: exit '${code}', expected ${expected}; orphans '${orphans}'\n${err}")
  endif()
  set(dir ${WORK}/stop-${signal})
  expect_match("${err}" "long--rr stopped early \\(partial results\\)" "SIG${signal}: the run's progress line")
  expect_match("${err}" "vmmsim: SIG${signal}: stopped early; the comparison covers what ran \\(partial\\)\n$" "SIG${signal}: the last line")
  file(READ ${dir}/compare.json cmp)
  string(JSON partial GET "${cmp}" partial)
  string(JSON reason GET "${cmp}" partial_reason)
  string(JSON first GET "${cmp}" runs 0 status)
  string(JSON second GET "${cmp}" runs 1 status)
  string(JSON second_results TYPE "${cmp}" runs 1 results)
  string(JSON run_partial GET "${cmp}" runs 0 results partial)
  if(NOT partial OR NOT reason MATCHES "^interrupted by SIG${signal}; of 2 runs, 0 finished, 1 stopped early"
     OR NOT first STREQUAL "stopped" OR NOT second STREQUAL "not run" OR NOT second_results STREQUAL "NULL"
     OR NOT run_partial)
    message(FATAL_ERROR "SIG${signal}: compare.json partial=${partial} reason='${reason}' runs ${first}/${second}")
  endif()
  file(READ ${dir}/compare.csv csv)
  expect_match("${csv}" ",partial\nlong--rr,.*,true\n" "SIG${signal}: the CSV marks the stopped run")
  file(READ ${dir}/compare.html html)
  expect_match("${html}" "PARTIAL: interrupted by SIG${signal}" "SIG${signal}: the HTML says so")
  file(READ ${dir}/long--rr/report.txt report)
  expect_match("${report}" "PARTIAL: interrupted by SIG${signal} at cycle" "SIG${signal}: the run's own partial report")
  expect_only_whole_files(${dir})
endforeach()

# A second signal aborts: the runs die removing their temporaries, compare
# dies of the signal and writes no summary. An earlier comparison in the
# folder stays as it was, whole, and the staging folder beside it is gone.
vmmsim(0 out err compare ${WORK}/long.ini --schedulers rr --until 1ms --jobs 1 --out ${WORK}/abort)
file(READ ${WORK}/abort/compare.csv earlier_csv)
file(GLOB_RECURSE earlier_files RELATIVE ${WORK}/abort ${WORK}/abort/*)
compare_with(abort rr,bvt TERM HUP)
# compare dies of whichever of the two it handled second: the kernel may
# deliver them in either order. CMake 3.25 names death by SIGTERM
# "Subprocess terminated" and by SIGHUP "SIGHUP" (other versions: Terminated, Hangup).
if(NOT code MATCHES "^(Terminated|Subprocess terminated|Hangup|SIGHUP)$" OR orphans)
  message(FATAL_ERROR "the second signal: compare ended with '${code}', orphans '${orphans}'\n${err}")
endif()
file(READ ${WORK}/abort/compare.csv csv_after)
file(GLOB_RECURSE files_after RELATIVE ${WORK}/abort ${WORK}/abort/*)
file(GLOB staging LIST_DIRECTORIES true ${WORK}/.abort*)
if(NOT csv_after STREQUAL earlier_csv OR NOT files_after STREQUAL earlier_files OR staging)
  message(FATAL_ERROR "the aborted comparison touched the earlier one: files '${files_after}' (were "
                      "'${earlier_files}'), staging '${staging}'")
endif()
expect_only_whole_files(${WORK}/abort)

# A run that dies of a signal compare did not send (SIGKILL from outside)
# FAILED: compare exits with 1, not with 128 + 9 as if it had been killed.
compare_with(killed rr run:KILL)
if(NOT code EQUAL 1 OR orphans)
  message(FATAL_ERROR "a run killed by SIGKILL: compare ended with '${code}', expected 1; orphans '${orphans}'\n${err}")
endif()
expect_match("${err}" "long--rr FAILED: killed by SIGKILL\n$" "a run killed by SIGKILL: its progress line")

# Per VM, beside share and wait: input latency p99 and what swaps cost it
# (issue 12): the swap at 5 ms stalls the running vCPU for the downtime.
file(WRITE ${WORK}/swap.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = short.trace\n[run]\nswap = 5ms:fifo\n")
vmmsim(0 out err compare ${WORK}/swap.ini --schedulers rr --out ${WORK}/swapcmp)
expect_match("${out}" "vm +share +demand +fair +entitled +wait p50ms +wait p99ms +input p99ms +misses +swap stallms"
             "the per-VM table's header")
expect_match("${out}" "swap--rr +a +[0-9.]+% +[0-9.]+% +[0-9.]+% +[0-9.]+% +[0-9.]+ +[0-9.]+ +- +0 +0\\.0[1-9][0-9]\n"
             "a's swap stall in ms")
file(READ ${WORK}/swapcmp/compare.csv csv)
expect_match("${csv}" "^run,config,scheduler,vm,share,demand_share,fair_share,entitled_share,wait_p50_ms,wait_p99_ms,input_p99_ms,swap_stall_ms,"
             "the CSV's columns")
