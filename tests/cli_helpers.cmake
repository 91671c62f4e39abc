# Helpers of the CLI tests (cmake -P scripts; include() them with ${CMAKE_CURRENT_LIST_DIR}).

# Runs vmmsim with ARGN (in ${VMMSIM_WORKING_DIRECTORY} where that is set);
# fails unless it exits with `expect_code`. A run is stopped after 5 minutes
# so that a regression that would run on fails instead of hanging CTest (a
# safety net, not a timed assertion).
function(vmmsim expect_code out_var err_var)
  set(where)
  if(VMMSIM_WORKING_DIRECTORY)
    set(where WORKING_DIRECTORY ${VMMSIM_WORKING_DIRECTORY})
  endif()
  execute_process(COMMAND ${VMMSIM} ${ARGN} ${where} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 300)
  if(NOT code EQUAL expect_code)
    message(FATAL_ERROR "vmmsim ${ARGN}: exit ${code}, expected ${expect_code}\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

function(expect_match text pattern what)
  string(REGEX MATCH "${pattern}" found "${text}")
  if(NOT found)
    message(FATAL_ERROR "${what}: expected /${pattern}/ in:\n${text}")
  endif()
endfunction()

# The answer to bad input: exit 2 and exactly `line` (a literal) on stderr,
# after the program's name ("vmmsim: ", or "vmmsim_bench: " where VMMSIM is the benchmark).
function(expect_bad_input line)
  vmmsim(2 out err ${ARGN})
  get_filename_component(program ${VMMSIM} NAME)
  if(NOT err STREQUAL "${program}: ${line}\n")
    message(FATAL_ERROR "${program} ${ARGN}:\n  stderr '${err}'\n  expected '${program}: ${line}\n'")
  endif()
endfunction()

# Fails if `text` holds a byte a terminal or a text format must not get raw:
# a control character other than a line feed, DEL, or the bytes 0xfe, 0xff.
function(expect_no_raw_bytes text what)
  foreach(byte 1 2 3 4 5 6 7 8 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 127 254 255)
    string(ASCII ${byte} b)
    string(FIND "${text}" "${b}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${what}: raw byte ${byte} at offset ${at}")
    endif()
  endforeach()
endfunction()

# The events of a timeline with a time as "ph start end name", start and
# end in ns. ts is µs with 3 decimals (exact); dur too, or a double a hair
# shorter (report/timeline.cpp span()), which rounds to it. One event a line.
function(timed_events file out_var)
  file(READ ${file} text)
  # One list item a line; brackets would group items in a CMake list.
  string(REGEX REPLACE "[][;]" "_" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(events "")
  set(time "\"ts\": ([0-9]+)\\.([0-9][0-9][0-9])(, \"dur\": ([0-9]+)(\\.([0-9]+))?)?")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "\"name\": \"([^\"]*)\", \"cat\": \"[^\"]*\", \"ph\": \"([XiC])\", (\"s\": \"g\", )?${time}")
      continue()
    endif()
    string(REPLACE " " "_" name "${CMAKE_MATCH_1}")
    set(ph ${CMAKE_MATCH_2})
    math(EXPR start "${CMAKE_MATCH_4} * 1000 + 1${CMAKE_MATCH_5} - 1000")
    set(end ${start})
    if(ph STREQUAL "X")
      set(fraction "${CMAKE_MATCH_9}0000")
      string(SUBSTRING "${fraction}" 0 3 ns)
      string(SUBSTRING "${fraction}" 3 1 rest)
      math(EXPR end "${start} + ${CMAKE_MATCH_7} * 1000 + 1${ns} - 1000")
      if(rest GREATER 4)
        math(EXPR end "${end} + 1")
      endif()
    endif()
    list(APPEND events "${ph} ${start} ${end} ${name}")
  endforeach()
  set(${out_var} "${events}" PARENT_SCOPE)
endfunction()

# Appends to list `out_var` what a timeline limited to [from, to) keeps of
# the event `e` (as timed_events gives it): a slice overlapping it, clipped;
# an instant or counter change within it; else nothing.
function(append_clipped e from to out_var)
  set(out ${${out_var}})
  string(REPLACE " " ";" f "${e}")
  list(GET f 0 ph)
  list(GET f 1 start)
  list(GET f 2 end)
  list(GET f 3 name)
  if(ph STREQUAL "X")
    if(end GREATER from AND start LESS to)
      if(start LESS from)
        set(start ${from})
      endif()
      if(end GREATER to)
        set(end ${to})
      endif()
      list(APPEND out "X ${start} ${end} ${name}")
    endif()
  elseif(NOT start LESS from AND start LESS to)
    list(APPEND out "${e}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# In the results JSON text `results`: the sum of the turnaround cycles of VM
# `vm`'s vCPUs that arrived at one of the cycles in ARGN, and their count
# (trace gen phases: a phase's vCPUs arrive at its start).
function(arrivals_turnaround results vm sum_var count_var)
  set(arrivals ${ARGN})
  string(JSON n LENGTH "${results}" vcpus)
  math(EXPR last "${n} - 1")
  set(sum 0)
  set(count 0)
  foreach(i RANGE ${last})
    string(JSON v GET "${results}" vcpus ${i} vm)
    string(JSON arrival GET "${results}" vcpus ${i} arrival_cycles)
    list(FIND arrivals "${arrival}" at)
    if(v STREQUAL vm AND NOT at EQUAL -1)
      string(JSON t GET "${results}" vcpus ${i} turnaround_cycles)
      math(EXPR sum "${sum} + ${t}")
      math(EXPR count "${count} + 1")
    endif()
  endforeach()
  set(${sum_var} ${sum} PARENT_SCOPE)
  set(${count_var} ${count} PARENT_SCOPE)
endfunction()

# In the results JSON text `results`: the value at the keys in ARGN of VM `vm`.
function(vm_value results vm out_var)
  string(JSON n LENGTH "${results}" vms)
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${results}" vms ${i} name)
    if(name STREQUAL vm)
      string(JSON value GET "${results}" vms ${i} ${ARGN})
      set(${out_var} "${value}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "no VM ${vm} in the results")
endfunction()
