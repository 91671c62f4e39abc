# End to end: the vmmsim binary as a user runs it (ctest -R cli).
# Runs the default config twice (outputs must be byte-identical), checks the
# written files, and checks that bad input exits 2 with a one-line message.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)

# A run with every output.
vmmsim(0 out err run ${SRC}/configs/default.ini --until 300ms
       --json ${WORK}/a.json --vcd ${WORK}/a.vcd --config-out ${WORK}/resolved.ini)
expect_match("${out}" "vmmsim report" "report header")
expect_match("${out}" "Jain's fairness index" "fairness line")
expect_match("${out}" "simulated 300000000 cycles" "--until honoured")
foreach(f a.json a.vcd resolved.ini)
  if(NOT EXISTS ${WORK}/${f})
    message(FATAL_ERROR "${f} was not written")
  endif()
endforeach()
file(READ ${WORK}/a.vcd vcd)
# Leaves that say whose they are: cpu0.cpu0_owner is `cpu0_owner` in scope `cpu0`.
foreach(scope_var "cpu0;cpu0_owner" "cpu1;cpu1_state" "vmm;vmm_scheduler_id" "pit;pit_out" "console;console_fifo_level"
        "console;console_focus" "web;vm_web_running")
  list(GET scope_var 0 scope)
  list(GET scope_var 1 var)
  expect_match("${vcd}" "module ${scope} [$]end\n([$]var [^\n]*\n)*[$]var wire +[0-9]+ +[a-z]+ +${var} "
               "VCD signal ${scope}.${var}")
endforeach()
expect_match("${vcd}" "timescale[ \n\t]+1 ns" "VCD timescale in ns")

# Same inputs, same bytes; the resolved config reproduces the run.
vmmsim(0 out2 err2 run ${SRC}/configs/default.ini --until 300ms --json ${WORK}/b.json --vcd ${WORK}/b.vcd)
file(READ ${WORK}/a.json a)
file(READ ${WORK}/b.json b)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "two runs of the same config gave different JSON")
endif()
file(READ ${WORK}/b.vcd vcd2)
string(REGEX REPLACE "^.*[$]enddefinitions" "" body1 "${vcd}")
string(REGEX REPLACE "^.*[$]enddefinitions" "" body2 "${vcd2}")
if(NOT body1 STREQUAL body2)
  message(FATAL_ERROR "two runs of the same config gave different VCD bodies")
endif()
# Tracing observes the run, it does not change it (live-swap: console traffic,
# replacements and credit's preemptions, where extra events once reordered it).
vmmsim(0 out_untraced err_untraced run ${SRC}/configs/live-swap.ini --json ${WORK}/untraced.json)
vmmsim(0 out_traced err_traced run ${SRC}/configs/live-swap.ini --json ${WORK}/traced.json --vcd ${WORK}/traced.vcd)
file(READ ${WORK}/untraced.json untraced)
file(READ ${WORK}/traced.json traced)
if(NOT untraced STREQUAL traced)
  message(FATAL_ERROR "--vcd changed the results of configs/live-swap.ini")
endif()
vmmsim(0 out3 err3 run ${WORK}/resolved.ini --until 300ms --json ${WORK}/c.json)
file(READ ${WORK}/c.json c)
string(REGEX REPLACE "\"config\": \"[^\"]*\"" "" a_body "${a}")
string(REGEX REPLACE "\"config\": \"[^\"]*\"" "" c_body "${c}")
if(NOT a_body STREQUAL c_body)
  message(FATAL_ERROR "the resolved config did not reproduce the run")
endif()

# list and help.
vmmsim(0 out err list)
expect_match("${out}" "bvt" "list shows bvt")
expect_match("${out}" "quantum" "list shows rr's quantum")
# Every parameter's help starts in one column, at least two spaces after the
# longest "[sched.NAME] key" or "[vm.NAME] key" (credit2's runqueue_cpus once
# ran into its help, one space apart, and [vm.NAME] keys sat elsewhere).
# The lines become a CMake list: first ';' (a help text has some) and the
# brackets (CMake keeps an item whole across ';' inside an unclosed '[') turn
# into characters of the same width that mean nothing to a list.
string(REPLACE ";" "," listed "${out}")
string(REPLACE "[" "{" listed "${listed}")
string(REPLACE "]" "}" listed "${listed}")
string(REPLACE "\n" ";" list_lines "${listed}")
set(help_column "")
foreach(line IN LISTS list_lines)
  if(NOT line MATCHES "^    {")
    continue()
  endif()
  if(NOT line MATCHES "^(    {[^}]+} [^ ]+  +)[^ ]")
    message(FATAL_ERROR "list: no two spaces between the key and its help: '${line}'")
  endif()
  string(LENGTH "${CMAKE_MATCH_1}" column)
  if(help_column STREQUAL "")
    set(help_column ${column})
  elseif(NOT column EQUAL help_column)
    message(FATAL_ERROR "list: help at column ${column}, not ${help_column}: '${line}'")
  endif()
endforeach()
if(help_column STREQUAL "")
  message(FATAL_ERROR "list: no parameter lines")
endif()
vmmsim(0 out err run --help)
expect_match("${out}" "--vcd" "run --help")

# Bad input: exit 2, one line naming the file/key and what is allowed.
file(WRITE ${WORK}/bad.ini "[platform]\ncpus = 0\n")
vmmsim(2 out err run ${WORK}/bad.ini)
expect_match("${err}" "bad.ini:2: \\[platform\\] cpus = '0': expected a whole number from 1 to 4096\n$" "zero CPUs")
vmmsim(2 out err run ${WORK}/missing.ini)
expect_match("${err}" "missing.ini: cannot read config file" "missing config")
vmmsim(2 out err run ${SRC}/configs/default.ini --until soon)
expect_match("${err}" "--until soon: expected" "bad --until")
vmmsim(2 out err frobnicate)
expect_match("${err}" "unknown command 'frobnicate'" "unknown command")
vmmsim(2 out err run ${SRC}/configs/default.ini --json ${SRC}/configs/default.ini)
expect_match("${err}" "refusing to overwrite an input" "output over input")

# Live replacement: the four activation mechanisms give the same schedule
# when their costs are equal (here 0), byte for byte.
set(zero_costs)
foreach(k id_register_dispatch id_register_activate function_table_dispatch function_table_activate
        patch_dispatch patch_activate function_table_pointer_move)
  list(APPEND zero_costs --set activation.${k}=0)
endforeach()
foreach(mechanism id-register function-table function-table-pointers patch)
  vmmsim(0 out err run ${SRC}/configs/live-swap.ini --set vmm.activation=${mechanism} ${zero_costs}
         --json ${WORK}/${mechanism}.json --vcd ${WORK}/${mechanism}.vcd)
  expect_match("${out}" "credit -> bvt" "live-swap loads bvt (${mechanism})")
  expect_match("${out}" "bvt -> credit" "live-swap reverts to credit (${mechanism})")
  file(READ ${WORK}/${mechanism}.json json_${mechanism})
  string(REGEX REPLACE "\"activation\": \"[a-z-]+\"" "" json_${mechanism} "${json_${mechanism}}")
  file(READ ${WORK}/${mechanism}.vcd vcd_${mechanism})
  string(REGEX REPLACE "^.*[$]enddefinitions" "" vcd_${mechanism} "${vcd_${mechanism}}")
endforeach()
foreach(mechanism function-table function-table-pointers patch)
  if(NOT json_${mechanism} STREQUAL json_id-register)
    message(FATAL_ERROR "${mechanism} gave another schedule than id-register (JSON differs)")
  endif()
  if(NOT vcd_${mechanism} STREQUAL vcd_id-register)
    message(FATAL_ERROR "${mechanism} gave another waveform than id-register (VCD body differs)")
  endif()
endforeach()
file(READ ${WORK}/patch.vcd vcd)
expect_match("${vcd}" "[$]var wire +8 +[a-z]+ +vmm_replacement_phase " "VCD phase signal")

# --swap from the command line, and its errors.
vmmsim(0 out err run ${SRC}/configs/default.ini --until 300ms --swap 100ms:bvt --swap 200ms:unload)
expect_match("${out}" "cli +rr -> bvt" "--swap loads")
expect_match("${out}" "cli +bvt -> rr" "--swap unloads")
vmmsim(2 out err run ${SRC}/configs/default.ini --swap soon:bvt)
expect_match("${err}" "--swap 'soon:bvt': time 'soon': expected" "bad --swap time")

# --timeline: valid trace-event JSON with per-pCPU dispatch slices and the
# replacement's phases.
vmmsim(0 out err run ${SRC}/configs/live-swap.ini --until 600ms --timeline ${WORK}/timeline.json)
file(READ ${WORK}/timeline.json timeline)
string(JSON events LENGTH "${timeline}" traceEvents)
if(events LESS 100)
  message(FATAL_ERROR "timeline has only ${events} events")
endif()
expect_match("${timeline}" "\"cat\": \"dispatch\", \"ph\": \"X\"" "timeline dispatch slices")
expect_match("${timeline}" "\"name\": \"load credit -> bvt\", \"cat\": \"replacement\", \"ph\": \"i\"" "timeline replacement instant")
expect_match("${timeline}" "\"name\": \"drain\", \"cat\": \"replacement\", \"ph\": \"X\"" "timeline phase slice")
expect_match("${timeline}" "\"name\": \"runqueue\", \"cat\": \"runqueue\", \"ph\": \"C\"" "timeline run-queue counter")

# compare: schedulers and a swept parameter, each combination its own run.
vmmsim(0 out err compare ${SRC}/configs/cpu_weights.ini --schedulers rr,bvt --set sched.rr.quantum=5ms,20ms
       --until 500ms --jobs 2 --out ${WORK}/compare)
foreach(run "cpu_weights--rr--sched.rr.quantum=5ms" "cpu_weights--bvt--sched.rr.quantum=20ms")
  expect_match("${out}" "${run} " "compare run ${run}")
  foreach(f results.json resolved.ini timeline.json report.txt)
    if(NOT EXISTS ${WORK}/compare/${run}/${f})
      message(FATAL_ERROR "compare: ${run}/${f} was not written")
    endif()
  endforeach()
endforeach()
file(READ ${WORK}/compare/compare.csv csv)
expect_match("${csv}" "cpu_weights--bvt--sched.rr.quantum=5ms,[^,]*,bvt,gold,0.49" "compare CSV: bvt gives gold its weight")
file(READ ${WORK}/compare/compare.json cmp)
string(JSON runs LENGTH "${cmp}" runs)
if(NOT runs EQUAL 4)
  message(FATAL_ERROR "compare.json has ${runs} runs, expected 4")
endif()
file(READ ${WORK}/compare/compare.html html)
expect_match("${html}" "cpu_weights--rr--sched.rr.quantum=20ms" "compare HTML names the runs")
vmmsim(2 out err compare ${SRC}/configs/cpu_weights.ini --schedulers rr,nosuch --out ${WORK}/compare-bad)
expect_match("${err}" "unknown scheduler; allowed" "compare checks every run before starting")

# trace gen and trace import: the written traces run.
vmmsim(0 out err trace gen io-bound --vcpus 2 --seed 7 -o ${WORK}/gen.trace)
vmmsim(0 out err trace gen io-bound --vcpus 2 --seed 7 -o ${WORK}/gen2.trace)
file(READ ${WORK}/gen.trace gen1)
file(READ ${WORK}/gen2.trace gen2)
# Only the comment that quotes the command (its -o) may differ.
string(REGEX REPLACE "# command: [^\n]*" "" gen1 "${gen1}")
string(REGEX REPLACE "# command: [^\n]*" "" gen2 "${gen2}")
if(NOT gen1 STREQUAL gen2)
  message(FATAL_ERROR "trace gen: the same seed gave different traces")
endif()
vmmsim(0 out err trace import ftrace ${SRC}/tests/data/ftrace/trappy_surfaceflinger_excerpt.txt --top 4
       -o ${WORK}/sf.trace)
file(WRITE ${WORK}/imported.ini "[platform]\ncpus = 2\n[vm.gen]\ntrace = gen.trace\n[vm.android]\ntrace = sf.trace\n")
vmmsim(0 out err run ${WORK}/imported.ini --until 200ms)
expect_match("${out}" "android" "imported trace runs")
# A clock [platform] clock refuses would make traces no config can run.
vmmsim(2 out err trace import ftrace ${SRC}/tests/data/ftrace/trappy_surfaceflinger_excerpt.txt --clock 1Hz
       -o ${WORK}/slow.trace)
expect_match("${err}" "^vmmsim: --clock 1Hz: expected a frequency from 1193182Hz to 1THz\n$" "import --clock range")
vmmsim(2 out err trace gen io-bound -o ${WORK}/x.trace)
expect_match("${err}" "seed" "trace gen without --seed")

# An output never overwrites an input: a trace, under every output option.
foreach(option --json --vcd --timeline --config-out)
  vmmsim(2 out err run ${SRC}/configs/default.ini --until 10ms ${option} ${SRC}/traces/interactive.trace)
  expect_match("${err}" "refusing to overwrite an input" "${option} over a trace")
endforeach()

# Ctrl-C: a long run stops at once and still writes its report for the
# simulated time so far, complete and marked partial; exit 128 + SIGINT.
file(WRITE ${WORK}/busy.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 100us\n  end\n")
file(WRITE ${WORK}/long.ini
     "[platform]\ncpus = 2\n[vm.a]\ntrace = busy.trace\n[vm.b]\ntrace = busy.trace\n[vm.c]\ntrace = busy.trace\n[run]\nuntil = 1000000s\n")
execute_process(COMMAND timeout --preserve-status -s INT 2 ${VMMSIM} run ${WORK}/long.ini --json ${WORK}/int.json
                        --vcd ${WORK}/int.vcd --timeline ${WORK}/int-timeline.json
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 130)
  message(FATAL_ERROR "SIGINT: exit ${code}, expected 130\n${out}\n${err}")
endif()
expect_match("${out}" "PARTIAL: interrupted by SIGINT at cycle [0-9]+" "partial report line")
expect_match("${out}" "Jain's fairness index" "the whole report after SIGINT")
expect_match("${err}" "SIGINT: stopped early" "the interruption on stderr")
file(READ ${WORK}/int.json json)
string(JSON partial GET "${json}" partial)
string(JSON reason GET "${json}" partial_reason)
string(JSON elapsed GET "${json}" elapsed_cycles)
string(JSON pcpus LENGTH "${json}" pcpus)
if(NOT partial OR NOT reason MATCHES "^interrupted by SIGINT at cycle ${elapsed}$" OR NOT pcpus EQUAL 2)
  message(FATAL_ERROR "SIGINT: JSON partial=${partial} reason='${reason}' pcpus=${pcpus}")
endif()
if(elapsed EQUAL 0 OR NOT elapsed LESS 3600000000000)
  message(FATAL_ERROR "SIGINT: elapsed ${elapsed} cycles, expected some, not the whole run")
endif()
# The partial outputs are complete files: the timeline closes its array (read
# the tail only: two seconds of host time make hundreds of MiB of it), the VCD
# has its header and ends on a time stamp.
file(SIZE ${WORK}/int-timeline.json timeline_size)
math(EXPR tail_at "${timeline_size} - 4")
file(READ ${WORK}/int-timeline.json timeline_tail OFFSET ${tail_at})
expect_match("${timeline_tail}" "\n\\]}\n$" "the timeline of the partial run ends its events")
file(READ ${WORK}/int.vcd vcd LIMIT 4096)
expect_match("${vcd}" "enddefinitions" "the VCD of the partial run")
file(SIZE ${WORK}/int.vcd vcd_size)
math(EXPR tail_at "${vcd_size} - 32")
file(READ ${WORK}/int.vcd vcd_tail OFFSET ${tail_at})
expect_match("${vcd_tail}" "\n#[0-9]+\n$" "the VCD of the partial run ends on a time stamp")
file(GLOB leftovers ${WORK}/int*partial* ${WORK}/.int*)
if(leftovers)
  message(FATAL_ERROR "SIGINT left temporary files: ${leftovers}")
endif()

# A second signal aborts at once: no output, not even half of one, and the
# previous file of that name stays as it was. SIGINT then SIGTERM: two
# different signals sent back to back are both delivered (two of one kind
# could merge into one).
file(WRITE ${WORK}/abort.json "previous\n")
file(REMOVE ${WORK}/abort.pid)
execute_process(COMMAND sh -c "echo $$ > \"$0\"; exec \"$1\" run \"$2\" --json \"$3\" --vcd \"$4\" --timeline \"$5\""
                        ${WORK}/abort.pid ${VMMSIM} ${WORK}/long.ini ${WORK}/abort.json ${WORK}/abort.vcd
                        ${WORK}/abort-timeline.json
                COMMAND sh -c "sleep 1; pid=$(cat \"$0\"); kill -INT $pid; kill -TERM $pid; cat >/dev/null"
                        ${WORK}/abort.pid
                RESULTS_VARIABLE codes OUTPUT_VARIABLE out ERROR_VARIABLE err)
list(GET codes 0 code)
# Which of the two comes first is the kernel's choice; the second one kills
# (CMake names death by SIGINT "User interrupt", by SIGTERM "Subprocess terminated").
if(NOT code MATCHES "^(User interrupt|Subprocess terminated|Terminated)$")
  message(FATAL_ERROR "the second signal: vmmsim ended with '${code}', expected death by a signal\n${err}")
endif()
file(READ ${WORK}/abort.json previous)
file(GLOB leftovers ${WORK}/abort*partial* ${WORK}/.abort* ${WORK}/abort.vcd ${WORK}/abort-timeline.json)
if(NOT previous STREQUAL "previous\n" OR leftovers OR out MATCHES "vmmsim report")
  message(FATAL_ERROR "the aborted run (${codes}) left '${previous}' in abort.json, files ${leftovers}, output ${out}")
endif()
