# Outputs as a user means their paths (ctest -R cli_outputs; docs/robustness.md
# "Interrupted runs and atomic outputs"): devices and standard output written in
# place, links kept, no file replaced that the user did not name, bad output
# paths refused before anything runs, write errors in one line, SIGHUP.
# Runs as root in CI: device nodes of our own stand in for /dev/null and
# /dev/stdout first, so a broken build cannot replace the machine's.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)

function(expect_equal text expected what)
  if(NOT text STREQUAL expected)
    message(FATAL_ERROR "${what}: expected\n'${expected}'\ngot\n'${text}'")
  endif()
endfunction()

# The names in a folder, hidden ones too (temporary files are ".NAME.XXXXXX").
function(expect_files dir expected what)
  file(GLOB found RELATIVE ${dir} ${dir}/* ${dir}/.*)
  list(SORT found)
  list(SORT expected)
  if(NOT "${found}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: ${dir} holds '${found}', expected '${expected}'")
  endif()
endfunction()

function(expect_char_device path what)
  execute_process(COMMAND test -c ${path} RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${what}: ${path} is no longer a character device")
  endif()
endfunction()

set(CONFIG ${SRC}/configs/default.ini)
set(SHORT --until 10ms)

# --- A device and standard output are written in place, never replaced -------
# A null device and a /dev/stdout-style link of our own first (mknod needs
# root; elsewhere a FIFO is the device-like node).
execute_process(COMMAND mknod ${WORK}/null c 1 3 RESULT_VARIABLE mknod_code ERROR_QUIET)
if(mknod_code EQUAL 0)
  vmmsim(0 out err run ${CONFIG} ${SHORT} --vcd ${WORK}/null --json ${WORK}/null)
  expect_char_device(${WORK}/null "--vcd and --json to a null device of our own")
else()
  message(STATUS "cli_outputs: mknod not permitted (not root): the own null device is skipped")
endif()
file(CREATE_LINK /proc/self/fd/1 ${WORK}/stdout SYMBOLIC)
vmmsim(0 out err run ${CONFIG} ${SHORT} --json ${WORK}/stdout)
if(NOT IS_SYMLINK ${WORK}/stdout)
  message(FATAL_ERROR "--json to a link to /proc/self/fd/1 replaced the link")
endif()
string(JSON format GET "${out}" format)
expect_equal("${format}" "vmmsim-results 1" "--json through a link to standard output")
expect_match("${err}" "vmmsim report" "the text report goes to stderr when an output has stdout")
# Now the machine's own.
vmmsim(0 out err run ${CONFIG} ${SHORT} --json /dev/stdout --vcd /dev/null --timeline /dev/null)
string(JSON format GET "${out}" format)
expect_equal("${format}" "vmmsim-results 1" "--json /dev/stdout")
expect_char_device(/dev/null "--vcd /dev/null --timeline /dev/null")
if(NOT IS_SYMLINK /dev/stdout)
  message(FATAL_ERROR "--json /dev/stdout replaced /dev/stdout")
endif()

# '-' is standard output; the report then goes to stderr; one output there at most.
vmmsim(0 out err run ${CONFIG} ${SHORT} --json -)
string(JSON elapsed GET "${out}" elapsed_cycles)
expect_equal("${elapsed}" "10000000" "--json -")
expect_match("${err}" "Jain's fairness index" "the report on stderr with --json -")
vmmsim(0 out err run ${CONFIG} ${SHORT} --vcd -)
expect_match("${out}" "^\\$version vmmsim \\$end" "--vcd -")
vmmsim(0 out err trace gen cpu-bound --seed 1 -o -)
expect_match("${out}" "^# vmmsim-trace 1\n" "trace gen -o -")
expect_match("${err}" "^wrote -: cpu-bound" "trace gen's note on stderr with -o -")
vmmsim(2 out err run ${CONFIG} ${SHORT} --json - --timeline /dev/stdout)
expect_equal("${err}"
             "vmmsim: /dev/stdout: --json and --timeline both write to standard output; expected at most one output there\n"
             "two outputs on stdout")
if(mknod_code EQUAL 0)
  expect_files(${WORK} "null;stdout" "a refused run wrote nothing")
else()
  expect_files(${WORK} "stdout" "a refused run wrote nothing")
endif()

# --- A link stays a link; the file it names is replaced in its own folder -----
file(MAKE_DIRECTORY ${WORK}/data ${WORK}/links)
file(WRITE ${WORK}/data/r.json "previous\n")
file(CREATE_LINK ../data/r.json ${WORK}/links/r.json SYMBOLIC)
vmmsim(0 out err run ${CONFIG} ${SHORT} --json ${WORK}/links/r.json)
if(NOT IS_SYMLINK ${WORK}/links/r.json)
  message(FATAL_ERROR "--json through a link replaced the link")
endif()
file(READ ${WORK}/data/r.json json)
string(JSON format GET "${json}" format)
expect_equal("${format}" "vmmsim-results 1" "the link's target holds the results")
expect_files(${WORK}/data "r.json" "no temporary beside the target")
expect_files(${WORK}/links "r.json" "no temporary beside the link")

# --- The temporary never replaces a file: r.json.partial is the user's --------
file(MAKE_DIRECTORY ${WORK}/mine)
file(WRITE ${WORK}/mine/r.json.partial "the user's own file\n")
file(WRITE ${WORK}/mine/t.trace.partial "the user's own trace\n")
vmmsim(0 out err run ${CONFIG} ${SHORT} --json ${WORK}/mine/r.json --vcd ${WORK}/mine/t.trace)
file(READ ${WORK}/mine/r.json.partial mine)
file(READ ${WORK}/mine/t.trace.partial trace)
expect_equal("${mine}${trace}" "the user's own file\nthe user's own trace\n" "r.json.partial and t.trace.partial")
expect_files(${WORK}/mine "r.json;r.json.partial;t.trace;t.trace.gtkw;t.trace.owner.filter;t.trace.partial;t.trace.phase.filter;t.trace.slot.filter;t.trace.state.filter;t.trace.vm.filter"
             "outputs beside the user's files (and the VCD's GTKWave files, docs/results.md)")

# --- Refused before anything runs (exit 2, nothing written) -------------------
file(MAKE_DIRECTORY ${WORK}/refused)
set(R ${WORK}/refused)
# Two outputs of one file, whatever the spelling.
vmmsim(2 out err run ${CONFIG} ${SHORT} --json ${R}/o.json --timeline ${R}/../refused/o.json)
expect_equal("${err}" "vmmsim: ${R}/../refused/o.json: named by both --json and --timeline; expected a file of its own for each output\n"
             "the same output twice")
# An output that is a plugin the run loads (--swap, --stage, --shadow, [run] swap, a service trace's sched-load).
file(COPY_FILE ${PLUGINS}/vmmsim_lottery.so ${R}/victim.so)
file(SHA256 ${R}/victim.so plugin_hash)
vmmsim(2 out err run ${CONFIG} ${SHORT} --swap 5ms:${R}/victim.so --json ${R}/victim.so)
expect_equal("${err}" "vmmsim: ${R}/victim.so: refusing to overwrite an input file (${R}/victim.so) with --json; expected an output that is no input\n"
             "--json over the --swap plugin")
foreach(option stage shadow)
  vmmsim(2 out err run ${CONFIG} ${SHORT} --${option} 5ms:${R}/victim.so --json ${R}/victim.so)
  expect_equal("${err}" "vmmsim: ${R}/victim.so: refusing to overwrite an input file (${R}/victim.so) with --json; expected an output that is no input\n"
               "--json over the --${option} plugin")
endforeach()
file(WRITE ${R}/a.trace "vcpu 0\n  run 1ms\n")
file(WRITE ${R}/svc.trace "vcpu 0\n  sleep 1ms\n  sched-load victim.so\n")
file(WRITE ${R}/svc.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = a.trace\n[service]\ntrace = svc.trace\n[run]\nuntil = 10ms\n")
vmmsim(2 out err run ${R}/svc.ini --vcd ${R}/victim.so)
expect_match("${err}" "^vmmsim: ${R}/victim.so: refusing to overwrite an input file" "--vcd over a service trace's plugin")
file(WRITE ${R}/swap.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = a.trace\n[run]\nuntil = 10ms\nswap = 2ms:victim.so\n")
vmmsim(2 out err run ${R}/swap.ini --timeline ${R}/./victim.so)
expect_match("${err}" "^vmmsim: ${R}/./victim.so: refusing to overwrite an input file" "--timeline over a [run] swap plugin")
file(SHA256 ${R}/victim.so hash)
expect_equal("${hash}" "${plugin_hash}" "the plugin is untouched")
# compare --out over a folder whose compare.csv is an input (a config so named).
file(MAKE_DIRECTORY ${WORK}/cmp)
file(WRITE ${WORK}/cmp/a.trace "vcpu 0\n  run 1ms\n")
file(WRITE ${WORK}/cmp/compare.csv "[platform]\ncpus = 1\n[vm.a]\ntrace = a.trace\n[run]\nuntil = 5ms\n")
vmmsim(2 out err compare ${WORK}/cmp/compare.csv --schedulers rr --jobs 1 --out ${WORK}/cmp)
expect_equal("${err}" "vmmsim: ${WORK}/cmp/compare.csv: refusing to overwrite an input file (${WORK}/cmp/compare.csv) with --out; expected an output that is no input\n"
             "compare --out over its input")
file(READ ${WORK}/cmp/compare.csv config)
expect_match("${config}" "^\\[platform\\]" "the input named compare.csv is untouched")
# A trace import's output folder is checked before its inputs are read; with
# several VMs, one output path that cannot be written stops them all.
set(FTRACE ${SRC}/tests/data/ftrace/trappy_surfaceflinger_excerpt.txt)
vmmsim(2 out err trace import ftrace ${FTRACE} -o ${R}/nodir/sf.trace)
expect_equal("${err}" "vmmsim: ${R}/nodir/sf.trace: folder '${R}/nodir' does not exist; expected a file in an existing folder\n"
             "import into a missing folder")
file(MAKE_DIRECTORY ${R}/imp-shell.trace)
vmmsim(2 out err trace import ftrace ${FTRACE} --top 4 --vm sh*=shell --vm *=rest -o ${R}/imp.trace)
expect_equal("${err}" "vmmsim: ${R}/imp-shell.trace: is a directory; expected a file, a device or '-' (standard output)\n"
             "one of several import outputs cannot be written")
vmmsim(2 out err trace import ftrace ${FTRACE} --top 4 --vm sh*=shell --vm *=rest -o -)
expect_equal("${err}" "vmmsim: -o -: 2 VMs to write; expected -o OUT naming a file (OUT-VM.trace for each VM), not standard output\n"
             "several VMs to standard output")
file(REMOVE_RECURSE ${R}/imp-shell.trace)
expect_files(${R} "a.trace;svc.ini;svc.trace;swap.ini;victim.so" "refused commands wrote nothing")
# A stopped import leaves nothing: its second output is a FIFO nobody reads,
# so the import waits there holding the first one's temporary; SIGTERM then
# removes the temporary and ends it with that signal.
file(MAKE_DIRECTORY ${WORK}/stopped)
execute_process(COMMAND mkfifo ${WORK}/stopped/imp-rest.trace)
execute_process(
  COMMAND sh -c "\"$1\" trace import ftrace \"$2\" --top 4 --vm 'sh*=shell' --vm '*=rest' -o \"$0/imp.trace\" &
pid=$!
i=0
while [ -z \"$(ls -A \"$0\" | grep '^[.]imp-shell')\" ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done
kill -TERM $pid
wait $pid
echo $?" ${WORK}/stopped ${VMMSIM} ${FTRACE}
  OUTPUT_VARIABLE code OUTPUT_STRIP_TRAILING_WHITESPACE)
expect_equal("${code}" "143" "a trace import stopped by SIGTERM dies of it")
expect_files(${WORK}/stopped "imp-rest.trace" "a stopped import left no temporary")
# A utilization folder stands for its files: none of them may be the output.
file(MAKE_DIRECTORY ${WORK}/udir)
file(WRITE ${WORK}/udir/cpu.txt "10\n20\n")
vmmsim(2 out err trace import utilization ${WORK}/udir -o ${WORK}/udir/cpu.txt)
expect_equal("${err}" "vmmsim: ${WORK}/udir/cpu.txt: refusing to overwrite an input file (${WORK}/udir/cpu.txt) with -o; expected an output that is no input\n"
             "import over a file of its input folder")
file(READ ${WORK}/udir/cpu.txt series)
expect_equal("${series}" "10\n20\n" "the input file in the folder is untouched")


# A missing output folder: refused at once, before a run of days has
# started, and the other outputs are not begun.
file(WRITE ${WORK}/busy.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 100us\n  end\n")
file(WRITE ${WORK}/long.ini "[platform]\ncpus = 2\n[vm.a]\ntrace = busy.trace\n[vm.b]\ntrace = busy.trace\n[run]\nuntil = 1000000s\n")
file(MAKE_DIRECTORY ${WORK}/early)
vmmsim(2 out err run ${WORK}/long.ini --vcd ${WORK}/early/v.vcd --json ${WORK}/early/nodir/r.json)
expect_equal("${err}" "vmmsim: ${WORK}/early/nodir/r.json: folder '${WORK}/early/nodir' does not exist; expected a file in an existing folder\n"
             "a missing output folder")
expect_equal("${out}" "" "no report for a refused run")
vmmsim(2 out err run ${WORK}/long.ini --vcd ${WORK}/early/v.vcd --timeline ${WORK}/early)
expect_match("${err}" "^vmmsim: ${WORK}/early: is a directory; expected" "an output that is a directory")
expect_files(${WORK}/early "" "a refused run began no output")

# A read-only folder. Root ignores permissions: a read-only tmpfs mounted in a
# mount namespace of the command's own (it vanishes with the command).
file(MAKE_DIRECTORY ${WORK}/ro)
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid EQUAL 0)
  execute_process(COMMAND unshare -m sh -c "mount -t tmpfs -o ro tmpfs \"$0\" || exit 99; exec \"$1\" run \"$2\" --until 10ms --json \"$0/r.json\""
                          ${WORK}/ro ${VMMSIM} ${CONFIG}
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(ro_cause "Read-only file system")
else()
  file(CHMOD ${WORK}/ro DIRECTORY_PERMISSIONS OWNER_READ OWNER_EXECUTE)
  execute_process(COMMAND ${VMMSIM} run ${CONFIG} --until 10ms --json ${WORK}/ro/r.json
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(CHMOD ${WORK}/ro DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  set(ro_cause "Permission denied")
endif()
if(code EQUAL 99)
  message(STATUS "cli_outputs: SKIPPED the read-only folder: this root may not mount a tmpfs in a namespace of its own (${err})")
else()
  if(NOT code EQUAL 2)
    message(FATAL_ERROR "a read-only folder: exit ${code}, expected 2\n${out}\n${err}")
  endif()
  expect_equal("${err}" "vmmsim: ${WORK}/ro/r.json: cannot create a file in '${WORK}/ro' (${ro_cause}); expected a writable folder\n"
               "a read-only folder")
endif()

# --- A write error: one line naming the file and the cause, exit 74 -----------
if(EXISTS /dev/full)
  vmmsim(74 out err run ${CONFIG} ${SHORT} --json /dev/full)
  expect_equal("${err}" "vmmsim: /dev/full: write failed (No space left on device)\n" "--json /dev/full")
  expect_char_device(/dev/full "--json /dev/full")
  # Streamed while the run goes on: the run stops early, nothing else is written.
  vmmsim(74 out err run ${CONFIG} --vcd /dev/full --json ${WORK}/full.json)
  expect_equal("${err}" "vmmsim: /dev/full: write failed (No space left on device)\n" "--vcd /dev/full")
  if(EXISTS ${WORK}/full.json)
    message(FATAL_ERROR "--vcd /dev/full failed but --json was written")
  endif()
else()
  message(STATUS "cli_outputs: SKIPPED /dev/full: not on this machine")
endif()
# A file that cannot grow (a file size limit, as a full disk): the temporary is
# removed and the previous file kept.
file(MAKE_DIRECTORY ${WORK}/big)
file(WRITE ${WORK}/big/v.vcd "previous\n")
execute_process(COMMAND sh -c "ulimit -f 16 && exec \"$0\" run \"$1\" --until 1s --vcd \"$2\""
                        ${VMMSIM} ${CONFIG} ${WORK}/big/v.vcd
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 74)
  message(FATAL_ERROR "a VCD past the file size limit: exit ${code}, expected 74\n${out}\n${err}")
endif()
expect_equal("${err}" "vmmsim: ${WORK}/big/v.vcd: write failed (File too large)\n" "a VCD past the file size limit")
file(READ ${WORK}/big/v.vcd previous)
expect_equal("${previous}" "previous\n" "the previous VCD after a failed write")
expect_files(${WORK}/big "v.vcd" "the temporary after a failed write")

# --- SIGHUP is SIGTERM's twin: a partial report, exit 128 + 1 -----------------
# env --default-signal: the test may itself run under nohup (an ignored
# SIGHUP stays ignored, by design).
execute_process(COMMAND timeout -k 60 --preserve-status -s HUP 2
                        env --default-signal=HUP ${VMMSIM} run ${WORK}/long.ini --json ${WORK}/hup.json
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 129)
  message(FATAL_ERROR "SIGHUP: exit ${code}, expected 129\n${out}\n${err}")
endif()
expect_match("${out}" "PARTIAL: interrupted by SIGHUP at cycle [0-9]+" "the partial report after SIGHUP")
expect_match("${err}" "SIGHUP: stopped early" "SIGHUP on stderr")
file(READ ${WORK}/hup.json json)
string(JSON partial GET "${json}" partial)
string(JSON reason GET "${json}" partial_reason)
if(NOT partial OR NOT reason MATCHES "^interrupted by SIGHUP at cycle [0-9]+$")
  message(FATAL_ERROR "SIGHUP: JSON partial=${partial} reason='${reason}'")
endif()
file(GLOB leftovers ${WORK}/.hup*)
if(leftovers)
  message(FATAL_ERROR "SIGHUP left temporary files: ${leftovers}")
endif()
