# --vcd FILE in GTKWave (docs/results.md "GTKWave files"): the files beside
# the VCD, checked by parsing them (tests/vcd_check.cpp): every trace of
# FILE.gtkw is a signal of the VCD and every signal is shown, each attached
# translate filter names every value its trace takes (idle and every vCPU
# for the owners), and the markers sit on the replacement phases. Leaf names
# say whose signal it is; idle is owner 0, not 4294967295. The files follow
# the rules of every output: planned first, refused over an input or another
# output, none beside standard output or a device.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/run)

vmmsim(0 out err run ${CONFIGS}/live-swap.ini --vcd ${WORK}/run/swap.vcd)
file(GLOB written RELATIVE ${WORK}/run ${WORK}/run/*)
list(SORT written)
set(expected swap.gtkw swap.owner.filter swap.phase.filter swap.slot.filter swap.state.filter swap.vcd swap.vm.filter)
if(NOT written STREQUAL expected)
  message(FATAL_ERROR "--vcd swap.vcd wrote '${written}', expected '${expected}'")
endif()
execute_process(COMMAND ${VCD_CHECK} gtkw ${WORK}/run/swap.gtkw RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "swap.gtkw does not match swap.vcd: ${err}")
endif()
message(STATUS "${out}")
expect_match("${out}" " [1-9][0-9]* markers" "replacement phases as markers")

file(READ ${WORK}/run/swap.vcd vcd)
foreach(leaf cpu0_owner cpu1_state vmm_scheduler_id vmm_replacement_phase pit_out console_focus vm_web_running vm_shell_running)
  expect_match("${vcd}" "[$]var wire [0-9]+ [a-z]+ ${leaf}[ ]" "leaf ${leaf}")
endforeach()
string(FIND "${vcd}" "b11111111111111111111111111111111 " idle_as_minus_one)
if(NOT idle_as_minus_one EQUAL -1)
  message(FATAL_ERROR "an owner of 4294967295 (idle as -1) in the VCD")
endif()
file(READ ${WORK}/run/swap.owner.filter owners)
expect_match("${owners}" "\n0 idle\n1 web.0\n2 web.1\n3 batch.0\n4 batch.1\n5 shell.0\n6 service.0\n$" "the owner filter")
file(READ ${WORK}/run/swap.gtkw save)
expect_match("${save}" "\\[dumpfile\\] \"swap.vcd\"" "the save file names its VCD beside it")
expect_match("${save}" "\n@800200\n-cpu0\n" "a group per pCPU")
expect_match("${save}" "\n@800200\n-vm web\n" "a group per VM")
expect_match("${save}" "\n@800200\n-vmm\n" "a group of the VMM")
expect_match("${save}" "\\^[0-9] swap.owner.filter\n\\+{cpu0_owner} cpu0.cpu0_owner\\[31:0\\]" "the owner filter on cpu0's owner")

# Same inputs, same files byte for byte, wherever they are written.
file(MAKE_DIRECTORY ${WORK}/again)
vmmsim(0 out err run ${CONFIGS}/live-swap.ini --vcd ${WORK}/again/swap.vcd)
foreach(f ${expected})
  file(READ ${WORK}/run/${f} a)
  file(READ ${WORK}/again/${f} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${f} differs between two runs of the same config")
  endif()
endforeach()

# A FILE without .vcd keeps its name whole: t.trace -> t.trace.gtkw.
vmmsim(0 out err run ${CONFIGS}/live-swap.ini --until 100ms --vcd ${WORK}/run/t.trace)
foreach(f t.trace t.trace.gtkw t.trace.owner.filter)
  if(NOT EXISTS ${WORK}/run/${f})
    message(FATAL_ERROR "--vcd t.trace did not write ${f}")
  endif()
endforeach()

# None beside standard output or a device.
file(MAKE_DIRECTORY ${WORK}/stream)
execute_process(COMMAND ${VMMSIM} run ${CONFIGS}/live-swap.ini --until 100ms --vcd - WORKING_DIRECTORY ${WORK}/stream
                RESULT_VARIABLE code OUTPUT_QUIET ERROR_QUIET)
file(GLOB beside ${WORK}/stream/*)
if(NOT code EQUAL 0 OR beside)
  message(FATAL_ERROR "--vcd -: exit ${code}, wrote '${beside}' (expected nothing beside standard output)")
endif()
if(EXISTS /dev/null.gtkw)
  message(FATAL_ERROR "/dev/null.gtkw exists before the test")
endif()
vmmsim(0 out err run ${CONFIGS}/live-swap.ini --until 100ms --vcd /dev/null)
if(EXISTS /dev/null.gtkw OR EXISTS /dev/null.owner.filter)
  message(FATAL_ERROR "--vcd /dev/null wrote GTKWave files in /dev")
endif()

# Refused like any output: over another output or an input, before anything is written.
file(MAKE_DIRECTORY ${WORK}/clash)
expect_bad_input("${WORK}/clash/c.gtkw: named by both --json and --vcd (its GTKWave save file); expected a file of its own for each output"
                 run ${CONFIGS}/live-swap.ini --vcd ${WORK}/clash/c.vcd --json ${WORK}/clash/c.gtkw)
file(GLOB left ${WORK}/clash/*)
if(left)
  message(FATAL_ERROR "a refused run left '${left}'")
endif()
file(READ ${CONFIGS}/live-swap.ini config)
string(REPLACE "../traces/" "${CONFIGS}/../traces/" config "${config}")
file(WRITE ${WORK}/clash/in.owner.filter "${config}")
expect_bad_input("${WORK}/clash/in.owner.filter: refusing to overwrite an input file (${WORK}/clash/in.owner.filter) with --vcd (its GTKWave owner filter); expected an output that is no input"
                 run ${WORK}/clash/in.owner.filter --vcd ${WORK}/clash/in.vcd)
file(GLOB left RELATIVE ${WORK}/clash ${WORK}/clash/*)
if(NOT left STREQUAL "in.owner.filter")
  message(FATAL_ERROR "a refused run left '${left}'")
endif()
