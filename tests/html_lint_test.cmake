# cmake -DSRC=DIR -DWHAT=js|css -P tests/html_lint_test.cmake: lints the compare
# page's own files (report/html/). js: Debian's eslint with
# report/html/eslintrc.json; css: tests/css_check.js with Debian's
# node-css-tree (syntax, known properties, valid values). Prints "SKIP: why"
# (CTest marks the test skipped) when the tool is absent; scripts/dev.sh
# installs both.
# Finds `name` into `var`, or skips the test (a macro: its return() ends the script).
macro(require_program var name package)
  find_program(${var} ${name})
  if(NOT ${var})
    message("SKIP: ${name} is not installed (apt-get install ${package})")
    return()
  endif()
endmacro()

set(node_path /usr/share/nodejs)  # Debian's node modules; a Node.js from elsewhere does not search them
if(WHAT STREQUAL "js")
  require_program(ESLINT eslint eslint)
  # Paths relative to SRC, where it runs: eslint 6 refuses a file outside its working folder.
  set(command ${ESLINT} --no-eslintrc -c report/html/eslintrc.json --max-warnings 0 report/html/report.js)
elseif(WHAT STREQUAL "css")
  require_program(NODE node nodejs)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=${node_path} ${NODE} -e "require('css-tree')"
                  RESULT_VARIABLE missing OUTPUT_QUIET ERROR_QUIET)
  if(missing)
    message("SKIP: css-tree is not installed (apt-get install node-css-tree)")
    return()
  endif()
  set(command ${NODE} ${SRC}/tests/css_check.js ${SRC}/report/html/report.css)
else()
  message(FATAL_ERROR "-DWHAT=js or -DWHAT=css")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=${node_path} ${command} WORKING_DIRECTORY ${SRC}
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "${WHAT} lint failed (exit ${code}):\n${out}${err}")
endif()
message("${out}${err}")
