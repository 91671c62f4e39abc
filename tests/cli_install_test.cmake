# `cmake --install` as a user or a distribution runs it (packaging/,
# README "Installing"). Three parts, each a CTest test (PART):
#   prefix      installs BUILD into WORK/prefix (the fixture of the others);
#   plugin      what is installed is there; plugins/lottery.c builds out of
#               tree against the installed package, with find_package(vmmsim)
#               and with pkg-config, and the installed vmmsim loads each; so
#               does the controller plugin plugins/latency_guard.c;
#   completion  the installed bash completion is valid bash and completes.
# In: PART, BUILD, SRC, WORK, CC, CXX, PKG_CONFIG, MAN (ON: man pages expected).
cmake_policy(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake)
set(prefix ${WORK}/prefix)
set(VMMSIM ${prefix}/bin/vmmsim)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${what}: exit ${code}\n${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

if(PART STREQUAL "prefix")
  file(REMOVE_RECURSE ${WORK})
  run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})
  return()
endif()

if(PART STREQUAL "plugin")
  set(expected bin/vmmsim bin/vmmsim_soak include/vmmsim/schedulers/sched_abi.h share/pkgconfig/vmmsim-sched.pc
      share/cmake/vmmsim/vmmsimConfig.cmake share/cmake/vmmsim/vmmsimConfigVersion.cmake
      share/doc/vmmsim/examples/lottery.c share/doc/vmmsim/examples/CMakeLists.txt share/doc/vmmsim/docs/plugins.md
      include/vmmsim/controllers/controller_abi.h share/doc/vmmsim/examples/latency_guard.c
      share/bash-completion/completions/vmmsim lib/vmmsim/plugins/vmmsim_lottery.so)
  if(MAN)
    list(APPEND expected share/man/man1/vmmsim.1 share/man/man1/vmmsim-run.1 share/man/man1/vmmsim-sweep-run.1)
  endif()
  foreach(f ${expected})
    if(NOT EXISTS ${prefix}/${f})
      message(FATAL_ERROR "cmake --install: ${prefix}/${f} missing")
    endif()
  endforeach()
  set(examples ${prefix}/share/doc/vmmsim/examples)

  # 1. The installed examples' CMake project: find_package(vmmsim) through
  #    CMAKE_PREFIX_PATH alone (it knows nothing of the source tree).
  run("examples: cmake configure" ${CMAKE_COMMAND} -S ${examples} -B ${WORK}/with_cmake
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX})
  run("examples: cmake --build" ${CMAKE_COMMAND} --build ${WORK}/with_cmake --target vmmsim_lottery
      vmmsim_latency_guard)
  file(STRINGS ${WORK}/with_cmake/CMakeCache.txt found REGEX "^vmmsim_DIR:")
  if(NOT found STREQUAL "vmmsim_DIR:PATH=${prefix}/share/cmake/vmmsim")
    message(FATAL_ERROR "find_package(vmmsim) found '${found}'; expected the installed ${prefix}/share/cmake/vmmsim")
  endif()
  # 2. pkg-config and the compiler, as docs/plugins.md shows.
  run("pkg-config" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/share/pkgconfig
      ${PKG_CONFIG} --cflags vmmsim-sched)
  string(STRIP "${out}" cflags)
  if(NOT cflags STREQUAL "-I${prefix}/share/pkgconfig/../../include/vmmsim")
    message(FATAL_ERROR "pkg-config --cflags vmmsim-sched: '${cflags}'; expected the installed include/vmmsim")
  endif()
  file(MAKE_DIRECTORY ${WORK}/with_pkg_config)
  run("cc lottery.c" ${CC} -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden ${cflags}
      ${examples}/lottery.c -o ${WORK}/with_pkg_config/vmmsim_lottery.so)

  # Each plugin replaces rr in a run of the installed vmmsim, and schedules
  # the guests until the end.
  foreach(way with_cmake with_pkg_config)
    set(so ${WORK}/${way}/vmmsim_lottery.so)
    vmmsim(0 out err run ${SRC}/configs/default.ini --until 1s --swap 300ms:${so} --json ${WORK}/${way}.json)
    expect_match("${out}" "\nscheduler lottery," "${way}: the report's scheduler")
    file(READ ${WORK}/${way}.json json)
    string(JSON to GET "${json}" replacements 0 to)
    string(JSON ok GET "${json}" replacements 0 ok)
    string(JSON target GET "${json}" replacements 0 target)
    string(JSON last GET "${json}" epochs 1 scheduler)
    string(JSON batch GET "${json}" epochs 1 vms 1 cpu_cycles)
    if(NOT to STREQUAL "lottery" OR NOT ok STREQUAL "ON" OR NOT target STREQUAL so OR NOT last STREQUAL "lottery"
       OR NOT batch GREATER 100000000)
      message(FATAL_ERROR "${way}: replacement to '${to}' ok '${ok}' of '${target}', last epoch under '${last}' "
                          "with batch at ${batch} cycles; expected lottery from ${so} running the guests")
    endif()
  endforeach()

  # The controller plugin example, built by the examples' project, beside
  # configs/controller.ini's rules (docs/controller.md "Controller plugins").
  vmmsim(0 out err run ${SRC}/configs/controller.ini --until 200ms --set controller.plugin=${WORK}/with_cmake/vmmsim_latency_guard.so
         --set controller.plugin_window=100ms --set controller.plugin_args=vm=shell)
  expect_match("${out}" "\n  plugin latency_guard \\([^\n]*\\): on\n" "the installed example controller plugin")

  # The installed soak finds the installed plugins beside it.
  run("vmmsim_soak" ${CMAKE_COMMAND} -E env SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ${prefix}/bin/vmmsim_soak --seed 3)
  expect_match("${out}" "soak-result seed=3 .*violations=0" "installed vmmsim_soak")
  return()
endif()

if(PART STREQUAL "completion")
  set(script ${prefix}/share/bash-completion/completions/vmmsim)
  run("bash -n" bash -n ${script})
  # COMP_WORDS as bash sets them when TAB is pressed after the last word.
  set(complete [=[
    source "$1"
    t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vmmsim; echo "$*=>${COMPREPLY[*]}"; }
    t vmmsim r
    t vmmsim tr
    t vmmsim trace i
    t vmmsim run --su
    t vmmsim run "$2/configs/def"
    t vmmsim compare --schedulers rr,cr
    t vmmsim trace gen p
    t vmmsim sweep c
    t vmmsim sweep plan --se
    t vmmsim sweep run --ig
  ]=])
  file(WRITE ${WORK}/complete.sh "${complete}")
  run("completion" ${CMAKE_COMMAND} -E env PATH=${prefix}/bin:$ENV{PATH} bash ${WORK}/complete.sh ${script} ${SRC})
  foreach(line "vmmsim r=>run" "vmmsim tr=>trace" "vmmsim trace i=>import" "vmmsim run --su=>--summary"
          "vmmsim run ${SRC}/configs/def=>${SRC}/configs/default.ini" "vmmsim compare --schedulers rr,cr=>rr,credit rr,credit2"
          "vmmsim trace gen p=>periodic phases" "vmmsim sweep c=>collect" "vmmsim sweep plan --se=>--set --seeds"
          "vmmsim sweep run --ig=>--ignore-locks")
    string(FIND "${out}" "${line}\n" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "bash completion: expected '${line}' in:\n${out}")
    endif()
  endforeach()
  return()
endif()
message(FATAL_ERROR "PART: expected prefix, plugin or completion")
