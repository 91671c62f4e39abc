# Text tables a person reads (docs/compare.md "The table and compare.csv",
# docs/results.md): compare's per-VM deadline misses and input latency with
# the best run per VM and metric marked, in the table and compare.csv; and
# tables that keep their columns under a 60-character VM name.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# One pCPU: rt runs 3 ms jobs every 10 ms beside a hog and a shell. rr's
# 10 ms quanta make rt's jobs late; credit boosts the waking rt and shell.
set(long "a_virtual_machine_with_a_name_of_sixty_characters_0123456789")
string(LENGTH "${long}" n)
if(NOT n EQUAL 60)
  message(FATAL_ERROR "the long name has ${n} characters")
endif()
file(WRITE ${WORK}/per.trace "vcpu 0\n  every 10ms run 3ms count 1000\n")
file(WRITE ${WORK}/hog.trace "vcpu 0\n  repeat forever\n    run 10ms\n  end\n")
file(WRITE ${WORK}/sh.trace "vcpu 0\n  repeat forever\n    read 1\n    run 200us\n    console 32\n  end\n")
file(WRITE ${WORK}/p.ini "[platform]\ncpus = 1\n[console]\nfocus = sh\ninput_start = 5ms\ninput_every = 50ms\n"
     "[vm.rt]\ntrace = per.trace\n[vm.${long}]\ntrace = hog.trace\n[vm.sh]\ntrace = sh.trace\n[run]\nuntil = 500ms\n")

vmmsim(0 out err compare ${WORK}/p.ini --schedulers rr,credit --jobs 2 --out ${WORK}/cmp)
# Per VM: misses beside input p99 and swap stall; "*" after the best value.
expect_match("${out}" "\nrun +vm +share +demand +fair +entitled +wait p50ms +wait p99ms +input p99ms +misses +swap stallms\n"
             "the per-VM header")
expect_match("${out}" "\np--rr +rt +[^\n]* +- +[1-9][0-9]* +0[.]000\n" "rr's rt: deadline misses, unmarked")
string(REGEX MATCH "\np--rr +rt +[^\n]* +- +([1-9][0-9]*) +0[.]000\n" row "${out}")
set(rr_misses ${CMAKE_MATCH_1})
expect_match("${out}" "\np--credit +rt +[^\n]* +- +0[*] +0[.]000\n" "credit's rt: no miss, marked best")
expect_match("${out}" "\np--credit +sh +[^\n]* ([0-9.]+)[*] +0 +0[.]000\n" "credit's shell: input p99 marked best")
expect_match("${out}" "\np--rr +sh +[^\n]* [0-9.]+ +0 +0[.]000\n" "rr's shell: input p99 unmarked")
# The same in compare.csv's `best` column, and per VM in results.json.
file(READ ${WORK}/cmp/compare.csv csv)
string(REPEAT "[^,\n]*," 10 ten)  # share .. turnaround_ms (CMake's regex has no {10})
expect_match("${csv}" "^run,config,scheduler,vm,share,demand_share,fair_share,entitled_share,wait_p50_ms,wait_p99_ms,"
             "input_p99_ms,swap_stall_ms,response_ms,turnaround_ms,deadline_misses,context_switches,vmm_overhead,"
             "jain_fairness,jain_entitled,best,partial\n" "the CSV's columns")
expect_match("${csv}" "\np--rr,[^\n]*,rt,${ten}${rr_misses},[^\n]*,,false\n" "rr's rt in the CSV: its misses, no best")
expect_match("${csv}" "\np--credit,[^\n]*,rt,${ten}0,[^\n]*[,;]deadline_misses[;,][^\n]*false\n"
             "credit's rt in the CSV: best for deadline misses")
expect_match("${csv}" "\np--credit,[^\n]*,sh,[^\n]*[,;]input_p99_ms[;,][^\n]*false\n" "credit's shell: best input p99")
file(READ ${WORK}/cmp/p--rr/results.json json)
string(JSON vm_misses GET "${json}" vms 0 deadline_misses)
string(JSON vcpu_misses GET "${json}" vcpus 0 deadline_misses)
if(NOT vm_misses EQUAL rr_misses OR NOT vcpu_misses EQUAL rr_misses)
  message(FATAL_ERROR "results.json: rt's deadline_misses ${vm_misses} (vCPU ${vcpu_misses}), the table ${rr_misses}")
endif()

# expect_aligned(TEXT HEADER_REGEX ROW_REGEX COLUMN NTH WHAT): in TEXT, the
# line matching HEADER_REGEX ends its COLUMN title where each line matching
# ROW_REGEX ends its NTH "%" figure.
function(expect_aligned text header row column nth what)
  string(REPLACE "\n" ";" lines "${text}")
  set(end -1)
  set(rows 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "${header}")
      string(FIND "${line}" " ${column}" at)
      string(LENGTH " ${column}" len)
      math(EXPR end "${at} + ${len}")
    elseif(end GREATER -1 AND line MATCHES "${row}")
      set(at 0)
      set(rest "${line}")
      foreach(k RANGE 1 ${nth})
        string(FIND "${rest}" "%" p)
        math(EXPR p "${p} + 1")
        math(EXPR at "${at} + ${p}")
        string(SUBSTRING "${rest}" ${p} -1 rest)
      endforeach()
      if(NOT at EQUAL end)
        message(FATAL_ERROR "${what}: '${column}' ends at ${end}, its figure at ${at}:\n${text}")
      endif()
      math(EXPR rows "${rows} + 1")
    endif()
  endforeach()
  if(rows LESS 3)
    message(FATAL_ERROR "${what}: ${rows} rows checked:\n${text}")
  endif()
endfunction()
expect_aligned("${out}" "^run +vm +share" "^p--(rr|credit) +[a-z]" share 1 "compare's per-VM table")
expect_aligned("${out}" "^run +vm +share" "^p--(rr|credit) +[a-z]" entitled 4 "compare's per-VM table")
expect_match("${out}" "\np--rr +${long} +[0-9.]+% " "the long name whole in compare's table")

# run: the VM table (also under --summary) and the vCPU table.
foreach(detail summary full)
  set(args run ${WORK}/p.ini)
  if(detail STREQUAL "summary")
    list(APPEND args --summary)
  endif()
  vmmsim(0 out err ${args})
  expect_aligned("${out}" "^  vm +vcpus weight" "^  (rt|sh|${long}|service[*]) " share 1 "run ${detail}: the VM table")
  expect_aligned("${out}" "^  vm +vcpus weight" "^  (rt|sh|${long}|service[*]) " entitled 4 "run ${detail}: the VM table")
  expect_match("${out}" "\n  ${long} +1 +256 " "run ${detail}: the long name whole")
endforeach()
string(REGEX MATCH "\n  vcpu +cpu cycles" header "${out}")
string(LENGTH "${header}" header_end)
string(REGEX MATCH "\n  ${long}[.]0 +[0-9]+" row "${out}")
string(LENGTH "${row}" row_end)
string(REGEX MATCH "\n  rt[.]0 +[0-9]+" short_row "${out}")
string(LENGTH "${short_row}" short_end)
if(NOT row OR NOT header_end EQUAL row_end OR NOT short_end EQUAL row_end)
  message(FATAL_ERROR "run: the vCPU table's cpu cycles column: header ends at ${header_end}, rows at ${row_end} and ${short_end}")
endif()
