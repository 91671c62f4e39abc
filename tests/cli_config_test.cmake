# Config and CLI (docs/config.md): one section per VM, a resolved config that
# reads back with any path, loads that cannot succeed refused before the run,
# limits accepted at their edges, inputs read to their cap and no further.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/ok.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 1ms\n  end\n")

# Two sections for one VM.
file(WRITE ${WORK}/two.ini "[vm.service]\ntrace = ok.trace\n[vm.a]\ntrace = ok.trace\n[service]\ntrace = ok.trace\n")
expect_bad_input("${WORK}/two.ini:5: [service] names VM 'service' again (first [vm.service] at line 1); expected one section per VM"
                 run ${WORK}/two.ini)

# A load that cannot succeed: before the run, from the command line as from the config.
file(WRITE ${WORK}/a.ini "[vm.a]\ntrace = ok.trace\n")
set(builtins "fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf")
expect_bad_input("--swap '1ms:nosuch': unknown scheduler 'nosuch'; expected a built-in (${builtins}) or a plugin path (.so)"
                 run ${WORK}/a.ini --swap 1ms:nosuch --json ${WORK}/never.json)
expect_bad_input("--swap '1ms:${WORK}/gone.so': plugin file not found (${WORK}/gone.so); expected an existing plugin file (.so)"
                 run ${WORK}/a.ini --swap 1ms:${WORK}/gone.so --json ${WORK}/never.json)
# An image source the config does not declare (a.ini declares none).
expect_bad_input("--swap '1ms:${PLUGINS}/vmmsim_lottery.so,source=cdn': unknown image source 'cdn'; expected no source= (the config has no [image_source.NAME] section)"
                 run ${WORK}/a.ini --swap 1ms:${PLUGINS}/vmmsim_lottery.so,source=cdn --json ${WORK}/never.json)
# A built-in's image is in the VMM's own memory ([0019]): no source.
expect_bad_input("--swap '1ms:bvt,source=cdn': 'source=cdn' for the built-in 'bvt', whose image is in the VMM's own memory; expected source= only with a plugin path"
                 run ${WORK}/a.ini --swap 1ms:bvt,source=cdn --json ${WORK}/never.json)
file(WRITE ${WORK}/svc.trace "vcpu 0\n  sleep 1ms\n  sched-load gone.so\n")
file(WRITE ${WORK}/svc.ini "[vm.a]\ntrace = ok.trace\n[service]\ntrace = svc.trace\n")
expect_bad_input("${WORK}/svc.trace:3: sched-load: plugin file not found (${WORK}/gone.so); expected an existing plugin file (.so)"
                 run ${WORK}/svc.ini --json ${WORK}/never.json)
if(EXISTS ${WORK}/never.json)
  message(FATAL_ERROR "a refused run wrote its output")
endif()

# Limits at their edges.
file(WRITE ${WORK}/thz.ini "[platform]\nclock = 1THz\n[vm.a]\ntrace = ok.trace\n")
vmmsim(0 out err run ${WORK}/thz.ini --until 1ms)
expect_match("${out}" "at 1000.000 GHz" "clock = 1THz runs")
file(WRITE ${WORK}/load.txt "10\n90\n")
vmmsim(0 out err trace import utilization ${WORK}/load.txt --clock 1THz -o ${WORK}/thz.trace)

# --config-out reads back as the same paths: folders with '#', quotes,
# commas, blanks at the ends, and a plugin in [run] swap among them. (A ';'
# too in ConfigSyntaxTest: CMake would split this script's arguments at it.)
set(folder "${WORK}/ a#b,c \"q\" ")
file(MAKE_DIRECTORY "${folder}")
file(COPY_FILE ${WORK}/ok.trace "${folder}/t.trace")
file(COPY_FILE ${PLUGINS}/vmmsim_lottery.so "${folder}/p,1.so")
file(WRITE "${folder}/c.ini"
     "[vm.a]\ntrace = \"t.trace\"\n[run]\nswap = 2ms:\"p,1.so\",policy=keep-old,seed=7 4ms:unload\n")
vmmsim(0 out err run "${folder}/c.ini" --until 6ms --json ${WORK}/first.json --config-out "${folder}/resolved #1.ini")
vmmsim(0 out err run "${folder}/resolved #1.ini" --json ${WORK}/again.json)
file(READ ${WORK}/first.json first)
file(READ ${WORK}/again.json again)
string(REGEX REPLACE "\"config\": \"[^\n]*\",\n" "" first "${first}")
string(REGEX REPLACE "\"config\": \"[^\n]*\",\n" "" again "${again}")
if(NOT first STREQUAL again)
  message(FATAL_ERROR "the resolved config of a config in '${folder}' did not reproduce its run")
endif()
expect_match("${first}" "\"to\": \"lottery\"" "the plugin named in [run] swap was loaded")

# Inputs are read to their cap and no further.
expect_bad_input("/dev/zero: more than 1 MiB; expected an INI config file of at most 1 MiB" run /dev/zero)
file(WRITE ${WORK}/zero.ini "[vm.a]\ntrace = /dev/zero\n")
expect_bad_input("/dev/zero: more than 64 MiB; expected a trace file of at most 64 MiB" run ${WORK}/zero.ini)
foreach(format ftrace swf utilization)
  expect_bad_input("/dev/zero:1: line of more than 4096 characters; expected at most 4096"
                   trace import ${format} /dev/zero -o ${WORK}/x.trace)
endforeach()
execute_process(COMMAND sh -c "head -c 100000000 /dev/zero | gzip -1 > \"$0\"" ${WORK}/zeros.gz)
expect_bad_input("${WORK}/zeros.gz:1: line of more than 4096 characters; expected at most 4096"
                 trace import swf ${WORK}/zeros.gz -o ${WORK}/x.trace)
if(EXISTS ${WORK}/x.trace)
  message(FATAL_ERROR "a refused import wrote its output")
endif()
