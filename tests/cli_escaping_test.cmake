# Names and reasons that come from plugins and file names, in every output
# (docs/robustness.md, "Names in outputs"): a config whose file name and a
# plugin whose path hold a double quote, a comma, a line break, an escape
# sequence and bytes that are not UTF-8, and a plugin whose error string holds
# the same. JSON files parse with a strict reader (json_check: nlohmann), CSV
# records keep their field count, terminal output has no raw control byte.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

string(ASCII 27 esc)
string(ASCII 255 xff)
string(ASCII 254 xfe)
# (No '[' or ';': CMake's lists would split or join arguments at them.)
set(hostile "q\"c,n\n${esc}c${xff}${xfe}")
set(config "${WORK}/cfg ${hostile}.ini")
file(WRITE ${WORK}/ok.trace "vcpu 0\n  repeat forever\n    run 1ms\n    io 1ms\n  end\n")
# A plugin whose create() fails with a hostile reason, in [run] swap.
file(WRITE "${config}" "[vm.a]\ntrace = ok.trace\n[run]\nswap = 1ms:${PLUGINS}/vmmsim_hostile_strings.so\n")
# A plugin file name as hostile, named by --swap in double quotes (docs/config.md, "Syntax").
set(plugin "${WORK}/lot\"te,ry\n${esc}c${xff}${xfe}.so")
file(COPY_FILE ${PLUGINS}/vmmsim_lottery.so "${plugin}")
string(REPLACE "\\" "\\\\" quoted "${plugin}")
string(REPLACE "\"" "\\\"" quoted "${quoted}")

vmmsim(0 out err run "${config}" --until 5ms --json ${WORK}/run.json --timeline ${WORK}/timeline.json
       --swap "2ms:\"${quoted}\"")
expect_no_raw_bytes("${out}${err}" "the text report")
expect_match("${out}" "hostile: \"quoted\", comma\\\\x0aline two \\\\x1b\\[2J bytes \\\\xff\\\\xfe end"
             "the plugin's reason, printable")
expect_match("${out}" "vmmsim report: .*cfg q\"c,n\\\\x0a\\\\x1bc\\\\xff\\\\xfe.ini" "the config's name, printable")
execute_process(COMMAND ${JSON_CHECK} ${WORK}/run.json ${WORK}/timeline.json RESULT_VARIABLE code ERROR_VARIABLE why)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "run: JSON that vmmsim's reader refuses: ${why}")
endif()
file(READ ${WORK}/run.json json)
string(JSON reason GET "${json}" replacements 0 reason)
expect_match("${reason}" "^hostile failed to start: hostile: \"quoted\", comma\nline two ${esc}\\[2J" "the reason in JSON")
string(JSON target GET "${json}" replacements 1 target)
expect_match("${target}" "lot\"te,ry\n${esc}c" "the plugin path in JSON")

# Bad input naming such a file: one printable line.
vmmsim(2 out err run "${WORK}/no ${hostile}.ini")
expect_match("${err}" "^vmmsim: [^\n]*no q\"c,n\\\\x0a\\\\x1bc\\\\xff\\\\xfe.ini: cannot read config file[^\n]*\n$"
             "a message naming a hostile file")

# compare: the config path goes into the CSV (RFC 4180), the JSON and the HTML.
vmmsim(0 out err compare "${config}" --until 5ms --jobs 1 --out ${WORK}/cmp)
expect_no_raw_bytes("${out}${err}" "compare's table and progress")
execute_process(COMMAND ${JSON_CHECK} ${WORK}/cmp/compare.json RESULT_VARIABLE code ERROR_VARIABLE why)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "compare.json: JSON that vmmsim's reader refuses: ${why}")
endif()
file(READ ${WORK}/cmp/compare.csv csv)
string(REPLACE "\"" "\"\"" doubled "${config}")
string(FIND "${csv}" ",\"${doubled}\",rr,a," at)
if(at EQUAL -1)
  message(FATAL_ERROR "compare.csv does not quote the config path per RFC 4180:\n${csv}")
endif()
file(READ ${WORK}/cmp/compare.json cmp)
string(JSON reason GET "${cmp}" runs 0 results replacements 0 reason)
expect_match("${reason}" "hostile: \"quoted\", comma\nline two ${esc}" "the reason in compare.json")
file(READ ${WORK}/cmp/compare.html html)
expect_no_raw_bytes("${html}" "compare.html")
