# A vmmsim --timeline read by a real trace-model library: the DevTools
# performance panel's engine (npm @paulirish/trace_engine, pinned below),
# installed with npm into WORK at the first run and reused after. Prints
# "SKIP: why" (CTest marks the test skipped) without node or npm, or when the
# registry cannot be reached. tests/timeline_trace_engine.mjs does the checks.
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
set(engine_version 0.0.65)
find_program(NODE node)
find_program(NPM npm)
if(NOT NODE OR NOT NPM)
  message("SKIP: node and npm are needed (apt-get install nodejs npm)")
  return()
endif()
file(MAKE_DIRECTORY ${WORK})
set(pkg ${WORK}/node_modules/@paulirish/trace_engine/package.json)
set(installed "")
if(EXISTS ${pkg})
  file(READ ${pkg} manifest)
  string(JSON installed ERROR_VARIABLE ignored GET "${manifest}" version)
endif()
if(NOT installed STREQUAL engine_version)
  execute_process(COMMAND ${NPM} install --prefix ${WORK} --no-audit --no-fund --ignore-scripts --no-save
                          @paulirish/trace_engine@${engine_version}
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code EQUAL 0 OR NOT EXISTS ${pkg})
    string(REGEX MATCH "[^\n]*(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network)[^\n]*" why "${err}")
    message("SKIP: npm could not install @paulirish/trace_engine@${engine_version} (${code}): ${why}\n${err}")
    return()
  endif()
endif()

# live-swap: 2 pCPUs, a replacement at 5 ms; 20 ms long.
vmmsim(0 out err run ${CONFIGS}/live-swap.ini --until 20ms --swap 5ms:bvt --timeline ${WORK}/t.json)
execute_process(COMMAND ${NODE} ${CMAKE_CURRENT_LIST_DIR}/timeline_trace_engine.mjs ${WORK}/node_modules ${WORK}/t.json 2
                        web.0,web.1,batch.0,batch.1,shell.0,service.0 20000
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the trace engine's reading of the timeline (exit ${code}):\n${out}${err}")
endif()
message("${out}")
