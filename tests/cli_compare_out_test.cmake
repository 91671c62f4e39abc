# compare --out (docs/compare.md "The --out folder"): an earlier
# comparison's folder is replaced whole, a folder compare did not write is
# refused and left untouched.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/a.trace "vcpu 0\n  repeat 20\n    run 1ms\n    io 1ms\n  end\n")
file(WRITE ${WORK}/a.ini "[platform]\ncpus = 1\n[vm.a]\ntrace = a.trace\n")

function(listing dir var)
  file(GLOB names LIST_DIRECTORIES true RELATIVE ${dir} ${dir}/* ${dir}/.*)
  set(${var} "${names}" PARENT_SCOPE)
endfunction()

# Three schedulers, then two: the third's folder is gone, nothing of the
# first comparison is left beside the second's CSV.
vmmsim(0 out err compare ${WORK}/a.ini --schedulers rr,credit,bvt --jobs 2 --out ${WORK}/out)
listing(${WORK}/out first)
if(NOT first STREQUAL "a--bvt;a--credit;a--rr;compare.csv;compare.html;compare.json;compare.manifest")
  message(FATAL_ERROR "the first comparison: '${first}'")
endif()
file(READ ${WORK}/out/compare.manifest manifest)
expect_match("${manifest}" "^vmmsim-compare-manifest 1\n" "the manifest's first line")
file(WRITE ${WORK}/out/a--rr/notes.txt "a user's file in a run folder\n")
vmmsim(0 out err compare ${WORK}/a.ini --schedulers rr,credit --jobs 2 --out ${WORK}/out)
listing(${WORK}/out second)
listing(${WORK}/out/a--rr rr_files)
listing(${WORK} beside)
file(READ ${WORK}/out/compare.csv csv)
if(NOT second STREQUAL "a--credit;a--rr;compare.csv;compare.html;compare.json;compare.manifest"
   OR NOT rr_files STREQUAL "report.txt;resolved.ini;results.json;timeline.json"
   OR NOT beside STREQUAL "a.ini;a.trace;out" OR csv MATCHES "a--bvt")
  message(FATAL_ERROR "the second comparison: '${second}', a--rr '${rr_files}', beside --out '${beside}'")
endif()

# An empty folder is taken; a missing one is made, parents too.
file(MAKE_DIRECTORY ${WORK}/empty)
vmmsim(0 out err compare ${WORK}/a.ini --schedulers rr --out ${WORK}/empty)
vmmsim(0 out err compare ${WORK}/a.ini --schedulers rr --out ${WORK}/new/deeper)
if(NOT EXISTS ${WORK}/empty/compare.manifest OR NOT EXISTS ${WORK}/new/deeper/a--rr/results.json)
  message(FATAL_ERROR "an empty or a new --out folder was not filled")
endif()

# A folder that is not compare's: refused, one line, exit 2, untouched.
file(MAKE_DIRECTORY ${WORK}/mine/sub)
file(WRITE ${WORK}/mine/thesis.tex "my thesis\n")
expect_bad_input("--out ${WORK}/mine: a folder with files that no comparison wrote (it has no compare.manifest); expected a new or empty folder, or one an earlier vmmsim compare wrote (compare replaces it whole)"
                 compare ${WORK}/a.ini --schedulers rr --out ${WORK}/mine)
listing(${WORK}/mine kept)
listing(${WORK} beside)
if(NOT kept STREQUAL "sub;thesis.tex" OR beside MATCHES "[.]mine")
  message(FATAL_ERROR "a refused --out was touched: '${kept}', beside it '${beside}'")
endif()
# A manifest must be compare's own (its first line), not any file of that name.
file(WRITE ${WORK}/mine/compare.manifest "my list\n")
vmmsim(2 out err compare ${WORK}/a.ini --schedulers rr --out ${WORK}/mine)
# A file is no folder.
expect_bad_input("--out ${WORK}/a.trace: not a folder; expected a folder for the comparison"
                 compare ${WORK}/a.ini --schedulers rr --out ${WORK}/a.trace)

# An earlier comparison that holds an input of this one (its resolved.ini
# as the config) is not replaced: the input would go with it.
file(COPY ${WORK}/a.trace DESTINATION ${WORK}/out/a--rr)
expect_bad_input("--out ${WORK}/out: holds an input of a run (${WORK}/out/a--rr/resolved.ini), and compare replaces the folder whole; expected an --out that holds no input"
                 compare ${WORK}/out/a--rr/resolved.ini --schedulers rr --out ${WORK}/out)
# Nor one that holds the working directory.
execute_process(COMMAND ${VMMSIM} compare ${WORK}/a.ini --schedulers rr --out ..
                WORKING_DIRECTORY ${WORK}/out/a--rr RESULT_VARIABLE code ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT code EQUAL 2 OR NOT err STREQUAL "vmmsim: --out ..: holds the working directory; expected a folder of its own (compare replaces it whole)\n")
  message(FATAL_ERROR "--out above the working directory: exit ${code}, '${err}'")
endif()
listing(${WORK}/out after)
if(NOT after STREQUAL second)
  message(FATAL_ERROR "a refused comparison changed the earlier one: '${after}'")
endif()
